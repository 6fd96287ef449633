using System.Net.Http.Headers;
using System.Text;

namespace TransportBrain.Hub.Tests.Api;

/// <summary>One request with an optional API key and body, as the API tests send them.</summary>
internal static class ApiRequests
{
    public static Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string path, string? key, string? body = null, string contentType = "application/json")
    {
        var req = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }
        return http.SendAsync(req);
    }
}
