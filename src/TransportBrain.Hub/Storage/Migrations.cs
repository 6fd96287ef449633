namespace TransportBrain.Hub.Storage;

/// <summary>
/// Versioned migrations of the hub's own tables, written once for both stores ({pk}, {ts}, {bytes}...
/// are filled in by the dialect). Append new versions; never edit one that has shipped.
/// Dataset tables are not here: they follow their declared schemas (see SqlHubStore.EnsureDatasetTable).
/// </summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<(int Version, string Description, string[] Statements)> All =
    [
        (1, "catalog, batches, quarantine, keys, grants, audit",
        [
            "CREATE TABLE hub_dataset (id {text} PRIMARY KEY, definition {text} NOT NULL, registered_at {ts} NOT NULL, updated_at {ts} NOT NULL)",
            """
            CREATE TABLE hub_batch (id {pk}, dataset_id {text} NOT NULL, source {text} NOT NULL, format {text} NOT NULL,
              encoding {text} NOT NULL, header {text}, started_at {ts} NOT NULL, finished_at {ts},
              read_count {int} NOT NULL DEFAULT 0, stored_count {int} NOT NULL DEFAULT 0, quarantined_count {int} NOT NULL DEFAULT 0,
              rule_counts {text})
            """,
            "CREATE INDEX hub_batch_dataset ON hub_batch (dataset_id, id)",
            """
            CREATE TABLE hub_quarantine (id {pk}, dataset_id {text} NOT NULL, batch_id {int} NOT NULL, position {int} NOT NULL,
              format {text} NOT NULL, raw {bytes} NOT NULL, rule {text} NOT NULL, reason {text} NOT NULL, status {text} NOT NULL,
              created_at {ts} NOT NULL, resolved_at {ts}, resolved_batch_id {int})
            """,
            "CREATE INDEX hub_quarantine_dataset ON hub_quarantine (dataset_id, status, id)",
            """
            CREATE TABLE hub_api_key (id {text} PRIMARY KEY, organisation {text} NOT NULL, name {text} NOT NULL, is_admin {bool} NOT NULL,
              secret_hash {text} NOT NULL, created_at {ts} NOT NULL, revoked_at {ts})
            """,
            """
            CREATE TABLE hub_grant (key_id {text} NOT NULL, dataset_id {text} NOT NULL, can_read {bool} NOT NULL, can_write {bool} NOT NULL,
              unmasked {bool} NOT NULL, PRIMARY KEY (key_id, dataset_id))
            """,
            """
            CREATE TABLE hub_audit (id {pk}, at {ts} NOT NULL, key_id {text}, organisation {text} NOT NULL, dataset_id {text} NOT NULL,
              action {text} NOT NULL, query {text} NOT NULL, row_count {int} NOT NULL, client {text}, hash {text} NOT NULL)
            """,
            "CREATE INDEX hub_audit_dataset ON hub_audit (dataset_id, at)",
            "CREATE INDEX hub_audit_at ON hub_audit (at)",
        ]),
        (2, "documents: mutable state of the contexts (registrations, alarm lifecycles, rule checkpoints)",
        [
            """
            CREATE TABLE hub_document (collection {text} NOT NULL, doc_key {text} NOT NULL, body {text} NOT NULL,
              version {int} NOT NULL, updated_at {ts} NOT NULL, PRIMARY KEY (collection, doc_key))
            """,
        ]),
    ];
}
