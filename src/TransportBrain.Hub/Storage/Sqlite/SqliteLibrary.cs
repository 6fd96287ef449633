using SQLitePCL;

namespace TransportBrain.Hub.Storage.Sqlite;

/// <summary>
/// Loads the native SQLite that the store runs on: the e_sqlite3 build of SourceGear.sqlite3 (SQLite 3.50.4),
/// through SQLitePCLRaw's e_sqlite3 provider. SQLitePCLRaw's "bundle" packages, which would do this by
/// themselves, do not restore here (DEPENDENCIES.md), so anything that opens a
/// <see cref="Microsoft.Data.Sqlite.SqliteConnection"/> calls <see cref="Init"/> first. The store does.
/// </summary>
public static class SqliteLibrary
{
    private static readonly bool Loaded = Load();

    /// <summary>Sets SQLitePCLRaw's provider (once per process).</summary>
    public static void Init() => _ = Loaded;

    /// <summary>The SQLite library's version, e.g. "3.50.4".</summary>
    public static string Version
    {
        get
        {
            Init();
            return raw.sqlite3_libversion().utf8_to_string();
        }
    }

    private static bool Load()
    {
        raw.SetProvider(new SQLite3Provider_e_sqlite3());
        // Before SQLite initialises (this fails harmlessly if something opened a database first): no memory
        // statistics, which take a global mutex on every allocation.
        // SQLite stays in its default serialized mode, with a mutex per connection. Session 5 turned that off
        // (SQLITE_CONFIG_MULTITHREAD, about 8% of the writer's CPU), but then any two threads that touch one
        // connection at once corrupt it instead of taking turns: a fresh-clone CI run in session 10 died in
        // sqlite3DbMallocRawNN on a corrupt lookaside free list, the signature of exactly that. Statement
        // handles finalized by the GC on its own thread can do it without any bug of ours.
        raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0);
        return true;
    }
}
