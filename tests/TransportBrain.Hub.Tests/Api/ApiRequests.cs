using System.Net.Http.Headers;
using System.Text;

namespace TransportBrain.Hub.Tests.Api;

/// <summary>One request with an optional API key and body, as the API tests send them.</summary>
internal static class ApiRequests
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string path, string? key, string? body = null, string contentType = "application/json", bool chunked = false)
    {
        var req = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (body is not null)
        {
            req.Content = chunked ? new ChunkedContent(Encoding.UTF8.GetBytes(body)) : new StringContent(body, Encoding.UTF8);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        return http.SendAsync(req);
    }

    /// <summary>A body sent without a Content-Length (Transfer-Encoding: chunked), as a streaming client sends one.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var at = 0; at < bytes.Length; at += 8192)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(8192, bytes.Length - at)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
