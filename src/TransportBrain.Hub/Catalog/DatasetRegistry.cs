using System.Globalization;

namespace TransportBrain.Hub.Catalog;

/// <summary>
/// The datasets this process knows, registered explicitly by each context at start-up
/// (no reflection scans). Lookup is by id; search matches Chinese and English text.
/// </summary>
public sealed class DatasetRegistry
{
    private readonly Dictionary<string, DatasetDefinition> _byId = new(StringComparer.Ordinal);

    public DatasetRegistry(IEnumerable<DatasetDefinition> datasets)
    {
        foreach (var d in datasets)
        {
            Add(d);
        }
    }

    public IReadOnlyCollection<DatasetDefinition> All => _byId.Values;

    public void Add(DatasetDefinition dataset)
    {
        var problems = dataset.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"dataset {dataset.Id} is not valid: {string.Join("; ", problems)}", nameof(dataset));
        }
        if (!_byId.TryAdd(dataset.Id, dataset))
        {
            throw new ArgumentException($"dataset {dataset.Id} is registered twice", nameof(dataset));
        }
    }

    public bool TryGet(string id, out DatasetDefinition dataset) => _byId.TryGetValue(id, out dataset!);

    /// <summary>
    /// Ranks datasets by how well they match every term of the query. Chinese has no spaces, so a
    /// term matches as a substring; names weigh more than descriptions, and those more than fields.
    /// </summary>
    public IReadOnlyList<CatalogSearchHit> Search(string query)
    {
        var terms = query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (terms.Length == 0)
        {
            return [];
        }
        var hits = new List<CatalogSearchHit>();
        foreach (var d in _byId.Values)
        {
            var score = 0;
            var matched = new List<string>();
            var all = true;
            foreach (var term in terms)
            {
                var termScore = 0;
                termScore += Score(d.Id, term, 8, "id", matched);
                termScore += Score(d.NameZh, term, 10, "name", matched);
                termScore += Score(d.NameEn, term, 10, "name", matched);
                termScore += Score(d.DescriptionZh, term, 4, "description", matched);
                termScore += Score(d.DescriptionEn, term, 4, "description", matched);
                termScore += Score(d.OwnerOrganisation, term, 2, "owner", matched);
                foreach (var f in d.Fields)
                {
                    termScore += Score(f.Name, term, 2, "field " + f.Name, matched);
                    termScore += Score(f.DescriptionZh, term, 2, "field " + f.Name, matched);
                    termScore += Score(f.DescriptionEn, term, 2, "field " + f.Name, matched);
                }
                if (termScore == 0)
                {
                    all = false;
                    break;
                }
                score += termScore;
            }
            if (all)
            {
                hits.Add(new CatalogSearchHit(d, score, matched.Distinct().Take(8).ToArray()));
            }
        }
        return hits.OrderByDescending(h => h.Score).ThenBy(h => h.Dataset.Id, StringComparer.Ordinal).ToList();
    }

    private static int Score(string text, string term, int weight, string where, List<string> matched)
    {
        if (CultureInfo.InvariantCulture.CompareInfo.IndexOf(text, term, CompareOptions.IgnoreCase | CompareOptions.IgnoreWidth) >= 0)
        {
            matched.Add(where);
            return weight;
        }
        return 0;
    }
}

public sealed record CatalogSearchHit(DatasetDefinition Dataset, int Score, IReadOnlyList<string> MatchedIn);
