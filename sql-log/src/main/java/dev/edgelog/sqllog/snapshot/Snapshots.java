package dev.edgelog.sqllog.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * Cuts consistent snapshots of a live applied database and restores them into one.
 *
 * <p>Both use their own connections: a failure here never touches an applier. The applier of a
 * database that was restored must re-read its state afterwards
 * ({@code SqliteApplier.reloadState()}, or restore through {@code SqliteApplier.restoreSnapshot}).
 */
public final class Snapshots {

    private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

    /** How long a restore waits, in total, for the live database's write lock (100 ms a try). */
    private static final int BUSY_RETRIES = 100;
    private static final int BUSY_SLEEP_MS = 100;
    private static final int PAGES_PER_STEP = 4096;
    private static final int BUSY_TIMEOUT_MS = 10_000;

    private Snapshots() {
    }

    /**
     * Writes a consistent copy of {@code liveDb} to {@code targetFile} (replacing it) with
     * {@code VACUUM INTO}, in one read transaction, while writers go on.
     *
     * @return the snapshot, its index read from inside the copy
     * @throws SnapshotException when the copy fails or {@code liveDb} is not an applied database
     */
    public static SnapshotInfo create(Path liveDb, Path targetFile) {
        Path tmp = targetFile.resolveSibling(targetFile.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (Connection c = open(liveDb, true); PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, tmp.toString());
                ps.execute();
            }
            fsync(tmp);
            State state = readState(tmp);
            String sha = sha256(tmp);
            long size = Files.size(tmp);
            Files.move(tmp, targetFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("snapshot of {} at index {} written to {} ({} bytes, sha256 {})", liveDb, state.index, targetFile,
                    size, sha);
            return new SnapshotInfo(targetFile, state.logId, state.index, sha, size);
        } catch (SQLException | IOException e) {
            throw new SnapshotException("cannot snapshot " + liveDb + " into " + targetFile + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * Reads a snapshot file's log id and index and computes its checksum, without changing it.
     *
     * @throws SnapshotException when it is not a readable snapshot
     */
    public static SnapshotInfo inspect(Path snapshotFile) {
        try {
            State state = readState(snapshotFile);
            return new SnapshotInfo(snapshotFile, state.logId, state.index, sha256(snapshotFile),
                    Files.size(snapshotFile));
        } catch (SQLException | IOException e) {
            throw new SnapshotException("cannot read snapshot " + snapshotFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the content of {@code liveDb} with the snapshot's, after checking its SHA-256.
     *
     * <p>Open read-only connections to {@code liveDb} keep working: the content is written through
     * SQLite's backup API as one write transaction (no file rename), so a reader in a transaction
     * keeps its view and sees the snapshot's data from its next transaction on. A snapshot with
     * another page size than a WAL-mode live database is first converted (SQLite cannot back up
     * across page sizes into WAL). When {@code liveDb} does not exist it is created from the
     * snapshot and switched to WAL mode.
     *
     * @return the restored state, read back from {@code liveDb}
     * @throws ChecksumMismatchException when the checksum differs; {@code liveDb} untouched
     * @throws SnapshotException         when the restore fails or does not take effect
     */
    public static SnapshotInfo restore(Path snapshotFile, String expectedSha256, Path liveDb) {
        return restore(snapshotFile, expectedSha256, liveDb, null);
    }

    /**
     * As {@link #restore(Path, String, Path)}, and refuses (before touching {@code liveDb}) a snapshot
     * of another log than {@code expectedLogId} (null: any).
     */
    public static SnapshotInfo restore(Path snapshotFile, String expectedSha256, Path liveDb, String expectedLogId) {
        try {
            String actual = sha256(snapshotFile);
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new ChecksumMismatchException(snapshotFile, expectedSha256, actual);
            }
            State expected = readState(snapshotFile);
            if (expectedLogId != null && !expectedLogId.equals(expected.logId)) {
                throw new SnapshotException("snapshot " + snapshotFile + " holds log " + expected.logId + ", not "
                        + expectedLogId + "; the live database is untouched");
            }
            if (Files.exists(liveDb)) {
                restoreInto(snapshotFile, liveDb);
            } else {
                createFrom(snapshotFile, liveDb);
            }
            State restored = readLiveState(liveDb);
            if (!restored.equals(expected)) {
                throw new SnapshotException("restore of " + snapshotFile + " into " + liveDb + " did not take effect: "
                        + "expected log " + expected.logId + " at " + expected.index + ", found " + restored.logId
                        + " at " + restored.index);
            }
            LOG.info("restored {} into {}: log {} at index {}", snapshotFile, liveDb, restored.logId, restored.index);
            return new SnapshotInfo(liveDb, restored.logId, restored.index, actual, Files.size(snapshotFile));
        } catch (SQLException | IOException e) {
            throw new SnapshotException("cannot restore " + snapshotFile + " into " + liveDb + ": " + e.getMessage(), e);
        }
    }

    private static void restoreInto(Path snapshotFile, Path liveDb) throws SQLException, IOException {
        Path converted = null;
        try (Connection live = open(liveDb, false)) {
            Path source = snapshotFile;
            int livePageSize = pragmaInt(live, "page_size");
            int snapshotPageSize = pageSizeOf(snapshotFile);
            if (livePageSize != snapshotPageSize) {
                LOG.info("converting snapshot {} from page size {} to the live database's {}", snapshotFile,
                        snapshotPageSize, livePageSize);
                converted = withPageSize(snapshotFile, livePageSize, liveDb);
                source = converted;
            }
            int rc = live.unwrap(SQLiteConnection.class).getDatabase()
                    .restore("main", source.toString(), null, BUSY_SLEEP_MS, BUSY_RETRIES, PAGES_PER_STEP);
            if (rc != 0) {
                throw new SnapshotException("SQLite backup API returned " + rc + " restoring " + snapshotFile);
            }
            try (Statement s = live.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            }
        } finally {
            if (converted != null) {
                deleteQuietly(converted);
            }
        }
    }

    /** A copy of {@code snapshotFile} rewritten with {@code pageSize}, next to {@code near}. */
    private static Path withPageSize(Path snapshotFile, int pageSize, Path near) throws SQLException, IOException {
        Path copy = near.resolveSibling(near.getFileName() + ".restore-" + UUID.randomUUID());
        Files.copy(snapshotFile, copy);
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + copy);
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = DELETE");
            s.execute("PRAGMA page_size = " + pageSize);
            s.execute("VACUUM");
        }
        return copy;
    }

    private static void createFrom(Path snapshotFile, Path liveDb) throws SQLException, IOException {
        Path tmp = liveDb.resolveSibling(liveDb.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.copy(snapshotFile, tmp);
            try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + tmp);
                 Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = WAL");
            }
            fsync(tmp);
            Files.move(tmp, liveDb, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            deleteQuietly(tmp);
            deleteQuietly(tmp.resolveSibling(tmp.getFileName() + "-wal"));
            deleteQuietly(tmp.resolveSibling(tmp.getFileName() + "-shm"));
        }
    }

    /** The SHA-256 of {@code file}, lower-case hex. */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The log id and applied index recorded in a database. */
    private record State(String logId, long index) {
    }

    /** Reads a snapshot file's state without writing anything next to it (immutable, read-only). */
    private static State readState(Path file) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        try (Connection c = cfg.createConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?immutable=1")) {
            return state(c, file);
        }
    }

    private static State readLiveState(Path liveDb) throws SQLException {
        try (Connection c = open(liveDb, true)) {
            return state(c, liveDb);
        }
    }

    private static State state(Connection c, Path file) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT log_id, applied_index FROM _edgelog_state")) {
            if (!rs.next()) {
                throw new SnapshotException(file + " has an empty _edgelog_state");
            }
            State st = new State(rs.getString(1), rs.getLong(2));
            if (rs.next()) {
                throw new SnapshotException(file + " has more than one _edgelog_state row");
            }
            return st;
        } catch (SQLException e) {
            if (String.valueOf(e.getMessage()).contains("no such table")) {
                throw new SnapshotException(file + " is not an edgelog database (no _edgelog_state table)", e);
            }
            throw e;
        }
    }

    private static Connection open(Path db, boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(readOnly);
        cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
        return cfg.createConnection("jdbc:sqlite:" + db);
    }

    private static int pragmaInt(Connection c, String pragma) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The page size in a database file's header (bytes 16-17, big-endian; 1 means 65536). */
    private static int pageSizeOf(Path file) throws IOException {
        byte[] header = new byte[18];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, 18) < 18) {
                throw new SnapshotException(file + " is too short to be a SQLite database");
            }
        }
        int size = ((header[16] & 0xFF) << 8) | (header[17] & 0xFF);
        return size == 1 ? 65536 : size;
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", file, e.getMessage());
        }
    }
}
