package dev.edgelog.sqllog.pull;

import java.io.IOException;

/** An upstream's answer that a puller must not apply, with what to do about it. */
public final class UpstreamException extends IOException {

    /** Why the answer was refused. */
    public enum Kind {
        /** 410: the entries asked for are no longer retained; bootstrap from a snapshot. */
        GONE,
        /** 409 or a foreign log-id header: the upstream serves another log. */
        LOG_ID_MISMATCH,
        /**
         * Malformed: not HTTP, wrong media type, corrupt or truncated frames, an index gap, a bad
         * checksum, a snapshot that does not match its announcement.
         */
        BAD_RESPONSE,
        /** 5xx, or the upstream is not ready. */
        UNAVAILABLE,
        /** 401 or 403. */
        UNAUTHORIZED,
        /** The upstream's path leads back to this puller: following it would be a loop. */
        LOOP
    }

    private final Kind kind;

    public UpstreamException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
