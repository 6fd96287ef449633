using TransportBrain.Hub.Storage.Postgres;
using TransportBrain.Hub.Storage.Sqlite;

namespace TransportBrain.Hub.Storage;

/// <summary>Opens the store a configuration names.</summary>
public static class HubStores
{
    public const string AcceptedForms =
        "'sqlite' (the default: brain.db in the data directory), 'sqlite:PATH' (that SQLite file), " +
        "or a PostgreSQL URL 'postgres://user:password@host:port/database' (also 'postgresql://...')";

    /// <summary>
    /// null, empty or "sqlite": SQLite in <paramref name="dataDirectory"/>/brain.db; "sqlite:PATH": that
    /// SQLite file; "postgres://..." or "postgresql://...": PostgreSQL.
    /// </summary>
    public static IHubStore Open(string? storeSpec, string dataDirectory)
    {
        var spec = storeSpec?.Trim();
        if (string.IsNullOrEmpty(spec) || spec.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
            return new SqliteHubStore(Path.Combine(dataDirectory, "brain.db"));
        }
        if (spec.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = spec["sqlite:".Length..].Trim();
            if (path.Length == 0)
            {
                throw new ArgumentException($"'sqlite:' needs a file path after the colon; accepted stores: {AcceptedForms}", nameof(storeSpec));
            }
            return new SqliteHubStore(path);
        }
        if (PostgresConnectionString.IsUrl(spec))
        {
            return new PostgresHubStore(spec);
        }
        // The setting is not repeated: a mistyped URL may carry a password.
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var named = colon is > 0 and <= 20 ? $" (it starts with '{spec[..(colon + 1)]}')" : "";
        throw new ArgumentException($"the store setting is not one the hub knows{named}; accepted stores: {AcceptedForms}", nameof(storeSpec));
    }
}
