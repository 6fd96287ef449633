using System.Runtime.CompilerServices;

namespace TransportBrain.Hub.Storage;

public static class DocumentPaging
{
    /// <summary>Every document of a collection in key order, read page by page.</summary>
    public static async IAsyncEnumerable<StoredDocument> AllDocumentsAsync(this IHubStore store, string collection, int pageSize = 5000,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        string? after = null;
        while (true)
        {
            var page = await store.ListDocumentsAsync(collection, after, pageSize, ct);
            foreach (var d in page)
            {
                yield return d;
            }
            if (page.Count < pageSize)
            {
                yield break;
            }
            after = page[^1].Key;
        }
    }
}
