package dev.edgelog.sqllog.pull;

/** Paths, headers and media types of the pull API, shared by its server and client. */
public final class PullProtocol {

    public static final String LOG_PATH = "/v1/log";
    public static final String SNAPSHOT_PATH = "/v1/snapshot";
    public static final String STATUS_PATH = "/v1/status";
    /**
     * Every node known below this one: {@code GET} lists them, a mirror {@code POST}s what it knows
     * of its own subtree to its upstream.
     */
    public static final String FLEET_PATH = "/v1/fleet";

    /** Concatenated {@code [len][crc32c][payload]} frames, exactly as the segment files hold them. */
    public static final String FRAMES_TYPE = "application/x-edgelog-frames";
    /** One JSON entry per line ({@code format=json}), for people and change-data-capture consumers. */
    public static final String NDJSON_TYPE = "application/x-ndjson";
    public static final String SNAPSHOT_TYPE = "application/vnd.sqlite3";

    /** The log's id: the server's on answers; the client's (when it holds one) on requests. */
    public static final String LOG_ID_HEADER = "Edgelog-Log-Id";
    /** The highest index the server can serve. */
    public static final String COMMIT_INDEX_HEADER = "Edgelog-Commit-Index";
    /** The oldest index the server still retains. */
    public static final String FIRST_INDEX_HEADER = "Edgelog-First-Index";
    /** The puller's name, so the server can list its followers. */
    public static final String NODE_HEADER = "Edgelog-Node";
    /** The puller's role ({@code mirror}, {@code edge}), for the fleet table. */
    public static final String ROLE_HEADER = "Edgelog-Role";
    /**
     * On every answer: the chain of node names from the primary node down to the answering node,
     * comma-separated. A puller that finds its own name in it would be following itself in a loop.
     */
    public static final String PATH_HEADER = "Edgelog-Path";
    public static final String SNAPSHOT_INDEX_HEADER = "Edgelog-Snapshot-Index";
    public static final String SNAPSHOT_SHA256_HEADER = "Edgelog-Snapshot-Sha256";

    public static final int DEFAULT_MAX_BYTES = 1 << 20;
    public static final int MAX_MAX_BYTES = 64 << 20;
    public static final long MAX_WAIT_MS = 60_000;

    private PullProtocol() {
    }
}
