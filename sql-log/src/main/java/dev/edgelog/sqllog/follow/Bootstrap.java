package dev.edgelog.sqllog.follow;

import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.pull.PullClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a snapshot from an upstream in place of the edge database: downloads it next to the
 * database (verified: SHA-256, log id, index; an interrupted download leaves nothing), then either
 * moves it into place (no database yet) or restores it into the live file through SQLite's backup
 * API, so read-only connections ad servers hold keep working and see the new content.
 */
final class Bootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

    private Bootstrap() {
    }

    /**
     * Bootstraps {@code database} from {@code upstream}.
     *
     * @param applier  the open applier, or null when there is no database yet
     * @param logId    the log the database holds (the snapshot must be of it), or null when new
     * @return the applier now positioned at the snapshot's index
     */
    static SqliteApplier run(Upstreams.Upstream upstream, Path database, SqliteApplier applier, String logId)
            throws IOException {
        Path download = database.resolveSibling("snapshot-download.db");
        long start = System.nanoTime();
        long[] lastLog = {start};
        LOG.info("bootstrapping {} from a snapshot of {}", database, upstream);
        PullClient.Snapshot snap = upstream.client().downloadSnapshot(download, logId, (bytes, total) -> {
            long now = System.nanoTime();
            if (now - lastLog[0] > 1_000_000_000L || bytes == total) {
                lastLog[0] = now;
                double seconds = Math.max(1e-3, (now - start) / 1e9);
                LOG.info("snapshot download from {}: {} / {} MiB at {} MiB/s", upstream, mib(bytes),
                        total < 0 ? "?" : mib(total), String.format(Locale.ROOT, "%.1f", bytes / seconds / (1 << 20)));
            }
        });
        try {
            if (applier == null) {
                SqliteApplier.deleteDatabase(database);
                Files.move(download, database);
                applier = SqliteApplier.open(database, ApplierConfig.forLog(snap.logId()));
            } else {
                applier.restoreSnapshot(download, snap.sha256());
            }
        } finally {
            Files.deleteIfExists(download);
        }
        LOG.info("bootstrapped {} at index {} of log {} ({} bytes, sha256 {}) in {} ms", database, snap.index(),
                snap.logId(), snap.bytes(), snap.sha256(), (System.nanoTime() - start) / 1_000_000);
        return applier;
    }

    /** The log id recorded in {@code database}, or null when it has none (new, or never bootstrapped). */
    static String recordedLogId(Path database) throws SQLException {
        if (!Files.exists(database)) {
            return null;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + database + "?mode=ro");
             Statement s = c.createStatement();
             ResultSet t = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_edgelog_state'")) {
            if (!t.next()) {
                return null;
            }
            try (ResultSet rs = s.executeQuery("SELECT log_id FROM _edgelog_state")) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) (1 << 20));
    }
}
