package dev.edgelog.primary.raft;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.ApplyResult;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's Raft state machine: applies committed Raft entries to the node's SQLite file and
 * SQL-log segments.
 *
 * <ul>
 *   <li>Each {@link Proposals#BATCH} Raft entry (one group commit) becomes as many SQL-log entries
 *       as it carries requests, numbered densely in apply order — the same numbers on every node —
 *       and applied in one SQLite transaction. The entries (with outcomes) are appended to the
 *       segments inside that transaction, before COMMIT ({@code BeforeCommit}), so a crashed process
 *       leaves them level with SQLite or ahead (cut back on open). They are forced at each snapshot,
 *       not per batch; segments that a machine crash left behind SQLite are rebuilt on open (see
 *       {@link #recovered}).</li>
 *   <li>Ratis replays from its latest snapshot, not from what SQLite holds: a Raft entry at or below
 *       {@code applied_raft_index} is skipped, so nothing is applied twice.</li>
 *   <li>A statement's SQL error is an outcome. Anything else (I/O, a corrupt entry) is thrown, which
 *       makes Ratis close this division: the node stops rather than record a wrong result.</li>
 *   <li>Snapshots are SQLite copies taken on their own connection ({@code VACUUM INTO}); installing
 *       one restores it through the backup API and restarts the segments at its index.</li>
 *   <li>The live database and segments live outside Ratis's {@code sm/} directory, which a snapshot
 *       install replaces wholesale.</li>
 * </ul>
 */
public final class SqlStateMachine extends BaseStateMachine implements LogSource {

    private static final Logger LOG = LoggerFactory.getLogger(SqlStateMachine.class);
    private static final String LOG_ID_FILE = "log-id";

    private final String node;
    private final Path dataDir;
    private final Path dbFile;
    private final SegmentStoreConfig segmentConfig;
    private final Clock clock;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /**
     * The latest snapshot, also kept here: while {@link SimpleStateMachineStorage} holds none, its
     * {@code getLatestSnapshot} lists the snapshot directory on every call, and Ratis asks on every
     * AppendEntries (a new cluster's nodes listed it ~500 times a second at 100 writers).
     */
    private volatile SingleFileSnapshotInfo latestSnapshot;
    private final List<LongConsumer> appliedListeners = new ArrayList<>();
    private long lastRetentionNanos;
    /** Held while a snapshot is written into {@code sm/}, and by {@link #pause}. */
    private final Object snapshotLock = new Object();
    private volatile ApplyObserver observer = (requests, statements, nanos) -> {
    };

    /** Told about each applied Raft entry (for metrics). */
    @FunctionalInterface
    public interface ApplyObserver {
        void applied(int requests, int statements, long nanos);
    }

    public void observeApplies(ApplyObserver o) {
        this.observer = o;
    }

    private volatile String logId;
    private volatile SqliteApplier applier;
    private volatile SegmentStore segments;

    public SqlStateMachine(String node, Path dataDir, SegmentStoreConfig segmentConfig, Clock clock) {
        this.node = node;
        this.dataDir = dataDir;
        this.dbFile = dataDir.resolve("db").resolve("edgelog.db");
        this.segmentConfig = segmentConfig;
        this.clock = clock;
    }

    /** Called (on the apply thread) with the new SQL-log applied index after each applied batch. */
    public synchronized void onApplied(LongConsumer listener) {
        appliedListeners.add(listener);
    }

    /** The log id, or null until the cluster's first entry fixed it. */
    public String logId() {
        return logId;
    }

    /** The last applied SQL-log index (0 before the first). */
    public long appliedIndex() {
        SqliteApplier a = applier;
        return a == null ? 0 : a.appliedIndex();
    }

    /** Pullers are served what SQLite has committed: the applied index. */
    @Override
    public long commitIndex() {
        return appliedIndex();
    }

    @Override
    public void onCommit(LongConsumer listener) {
        onApplied(listener);
    }

    /** A consistent copy for {@code GET /v1/snapshot}, on its own connection (VACUUM INTO). */
    @Override
    public SnapshotInfo snapshot(Path target) {
        return Snapshots.create(databaseFile(), target);
    }

    /** The commit time (leader's clock, ms) of the last applied entry; 0 before the first. */
    public long lastCommitTimeMillis() {
        SqliteApplier a = applier;
        return a == null ? 0 : a.state().lastCommitTimeMillis();
    }

    /** The node's SQLite file (readers open it read-only). */
    public Path databaseFile() {
        return dbFile;
    }

    /** The node's SQL-log segments (null before {@link #initialize}). */
    public SegmentStore segments() {
        return segments;
    }

    @Override
    public org.apache.ratis.statemachine.SnapshotInfo getLatestSnapshot() {
        return latestSnapshot;
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        getLifeCycle().startAndTransition(() -> {
            super.initialize(server, groupId, raftStorage);
            storage.init(raftStorage);
            Files.createDirectories(dbFile.getParent());
            segments = SegmentStore.open(dataDir.resolve("log"), segmentConfig, clock);
            logId = readLogId();
            SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
            latestSnapshot = snapshot;
            if (logId != null) {
                applier = recovered(SqliteApplier.open(dbFile, applierConfig()), snapshot);
            }
            if (snapshot != null) {
                // Ratis replays from here; entries SQLite already holds are skipped in apply
                setLastAppliedTermIndex(snapshot.getTermIndex());
            }
            LOG.info("{}: state machine open: log {}, SQL-log index {}, segments {}..{}, snapshot {}", node, logId,
                    appliedIndex(), segments.firstIndex(), segments.lastIndex(),
                    snapshot == null ? "none" : snapshot.getTermIndex());
        });
    }

    private ApplierConfig applierConfig() {
        return ApplierConfig.forLog(logId).withClock(clock);
    }

    /**
     * The database as opened at start, with the segments brought level with it. Segments ahead of
     * SQLite (a crash between the segment write and COMMIT) are cut back; Raft replay re-appends
     * them. Segments behind it lost an unsynced tail: an operating-system crash, since a primary's
     * segments are not forced per batch (the Raft log is what makes a write durable) but only at
     * each snapshot, so they always reach the latest one. Then the database goes back to that
     * snapshot (to empty without one) and Ratis's replay from the snapshot, which runs anyway,
     * applies every later entry again: deterministic apply rebuilds the lost entries byte for byte,
     * outcomes included, as the other nodes hold them. A database behind the latest snapshot
     * (removed, or replaced by an older copy) goes back to the snapshot as well.
     */
    private SqliteApplier recovered(SqliteApplier a, SingleFileSnapshotInfo snapshot) {
        if (snapshot != null && a.state().appliedRaftIndex() < snapshot.getIndex()) {
            // Ratis replays only the entries after the snapshot: on an older database they would
            // number and apply the SQL log differently from every other node
            LOG.warn("{}: SQLite is at Raft index {}, behind this node's snapshot {} (the database was removed or"
                    + " replaced by hand?); restoring the snapshot, Raft replay applies the entries after it", node,
                    a.state().appliedRaftIndex(), snapshot.getTermIndex());
            return restoredTo(a, Snapshots.inspect(snapshot.getFile().getPath()));
        }
        long applied = a.appliedIndex();
        long last = segments.lastIndex();
        if (last >= applied) {
            alignSegments(applied);
            return a;
        }
        if (snapshot == null) {
            LOG.warn("{}: SQL-log segments end at {} but SQLite at {} (an operating-system crash lost their unsynced"
                    + " tail); no snapshot yet: rebuilding the database and the segments from the whole Raft log",
                    node, last, applied);
            a.close();
            SqliteApplier.deleteDatabase(dbFile);
            return openAligned();
        }
        SnapshotInfo info = Snapshots.inspect(snapshot.getFile().getPath());
        LOG.warn("{}: SQL-log segments end at {} but SQLite at {} (an operating-system crash lost their unsynced"
                + " tail); restoring the database to snapshot {} (SQL-log index {}) and rebuilding the entries after"
                + " it from the Raft log", node, last, applied, snapshot.getTermIndex(), info.index());
        return restoredTo(a, info);
    }

    /** Restores this node's own snapshot {@code info} into {@code a} and cuts the segments back to it. */
    private SqliteApplier restoredTo(SqliteApplier a, SnapshotInfo info) {
        a.restoreSnapshot(info.file(), info.sha256());
        alignSegments(a.appliedIndex());
        return a;
    }

    /** Opens the database and makes the segments end where it does ({@link #alignSegments}). */
    private SqliteApplier openAligned() {
        SqliteApplier a = SqliteApplier.open(dbFile, applierConfig());
        alignSegments(a.appliedIndex());
        return a;
    }

    /**
     * Makes the segments end at {@code applied}, SQLite's applied index: cut back when they run
     * ahead; restarted after it (a gap: followers asking for the entries in it bootstrap from a
     * snapshot) when they end before it, which after {@link #recovered} only a snapshot install
     * or segments removed by hand leave.
     */
    private void alignSegments(long applied) {
        long last = segments.lastIndex();
        if (last == applied) {
            return;
        }
        if (last > applied && applied >= segments.firstIndex() - 1) {
            LOG.warn("{}: SQL-log segments end at {} but SQLite at {} (a crash between the two); cutting the segments"
                    + " back, Raft replay re-appends them", node, last, applied);
            segments.truncateAfter(applied);
        } else {
            LOG.warn("{}: SQL-log segments hold {}..{} but SQLite is at {}; restarting the segments at {} (followers"
                    + " asking for older entries will bootstrap from a snapshot)", node, segments.firstIndex(), last,
                    applied, applied + 1);
            segments.resetTo(applied);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto e = trx.getLogEntry();
        TermIndex ti = TermIndex.valueOf(e);
        ByteBuffer payload = e.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer();
        Message reply;
        try {
            // only the node that proposed the entry has a client waiting for rows
            reply = apply(ti, payload, trx.getClientRequest() != null);
        } catch (RuntimeException ex) {
            LOG.error("{}: applying Raft entry {} failed; this node stops applying: {}", node, ti, ex.toString(), ex);
            throw ex;
        }
        updateLastAppliedTermIndex(ti.getTerm(), ti.getIndex());
        return CompletableFuture.completedFuture(reply);
    }

    private Message apply(TermIndex ti, ByteBuffer payload, boolean captureRows) {
        byte type = Proposals.type(payload);
        if (type == Proposals.INIT) {
            return applyInit(Proposals.initLogId(payload));
        }
        if (type != Proposals.BATCH) {
            throw new SqlLogException("unknown Raft entry type " + type + " at " + ti);
        }
        SqliteApplier a = applier;
        if (a == null) {
            throw new SqlLogException("Raft entry " + ti + " carries SQL before the log id is known");
        }
        if (ti.getIndex() <= a.state().appliedRaftIndex()) {
            return Message.EMPTY; // replayed by Ratis; SQLite already holds it
        }
        List<Entry> unplaced = Proposals.batchEntries(payload);
        List<Entry> placed = new ArrayList<>(unplaced.size());
        long next = a.appliedIndex() + 1;
        for (Entry u : unplaced) {
            placed.add(u.at(next++, ti.getTerm(), ti.getIndex()));
        }
        SegmentStore segs = segments;
        long start = System.nanoTime();
        RowCapture rows = captureRows ? new RowCapture() : null;
        ApplyResult r = a.apply(placed, null, segs::append, rows);
        int statements = 0;
        for (Entry p : placed) {
            statements += p.statements().size();
        }
        observer.applied(placed.size(), statements, System.nanoTime() - start);
        notifyApplied(r.appliedIndex());
        enforceRetention(segs);
        return Message.valueOf(org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                Proposals.reply(r.applied(), rows)));
    }

    /**
     * Drops sealed segments beyond the configured retention, at most once a second (pullers that
     * fall behind them get 410 and bootstrap from a snapshot). Runs on the apply thread, which is
     * the segments' only writer.
     */
    private void enforceRetention(SegmentStore segs) {
        long now = System.nanoTime();
        if (now - lastRetentionNanos < 1_000_000_000L) {
            return;
        }
        lastRetentionNanos = now;
        segs.applyRetention();
    }

    private Message applyInit(String id) {
        if (logId == null) {
            writeLogId(id);
            logId = id;
            applier = openAligned();
            LOG.info("{}: this cluster's log id is {}", node, id);
        } else if (!logId.equals(id)) {
            LOG.info("{}: ignoring a later log-id proposal {}; the log id is {}", node, id, logId);
        }
        return Message.valueOf(logId);
    }

    private synchronized void notifyApplied(long index) {
        for (LongConsumer l : appliedListeners) {
            l.accept(index);
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // reached after this node applied up to the leader's read index (linearizable reads)
        return CompletableFuture.completedFuture(Message.valueOf(Long.toString(appliedIndex())));
    }

    /**
     * Writes a snapshot of SQLite into Ratis's {@code sm/} directory, on its own connection.
     *
     * <p>Returns {@link RaftLog#INVALID_LOG_INDEX} (Ratis tries again later) while Ratis replays
     * entries SQLite already holds: the copy would hold more than the index it is named after. And
     * while the state machine is paused: a follower installing the leader's snapshot pauses it from
     * its RPC thread and then replaces {@code sm/} wholesale, so a copy being written there would
     * vanish under it; {@link #pause} waits for a snapshot in progress ({@link #snapshotLock}).
     *
     * @throws IOException when the copy fails (Ratis logs it and carries on; any other exception
     *                     would close this node's Raft division)
     */
    @Override
    public long takeSnapshot() throws IOException {
        synchronized (snapshotLock) {
            SqliteApplier a = applier;
            TermIndex last = getLastAppliedTermIndex();
            if (a == null || last == null || getLifeCycleState() != LifeCycle.State.RUNNING
                    || a.state().appliedRaftIndex() > last.getIndex()) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
            Path tmp = file.toPath().resolveSibling(file.getName() + ".tmp");
            try {
                Files.deleteIfExists(tmp);
                SnapshotInfo info = Snapshots.create(dbFile, tmp);
                // the segments must reach every snapshot that crash recovery may restore (see recovered):
                // forced after the copy, so every entry in it (appended before its COMMIT) is on disk too,
                // and before the copy takes its name, which is how a restart finds it
                segments.sync();
                Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE);
                MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
                latestSnapshot = storage.updateLatestSnapshot(
                        new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
                LOG.info("{}: snapshot at Raft {} (SQL-log index {}, {} bytes)", node, last, info.index(),
                        info.sizeBytes());
                return last.getIndex();
            } catch (SqlLogException | UncheckedIOException e) {
                throw new IOException(node + ": snapshot at Raft " + last + " failed: " + e.getMessage(), e);
            } finally {
                Files.deleteIfExists(tmp); // moved away when it worked
            }
        }
    }

    /**
     * Ratis pauses the state machine before it publishes an installed snapshot into {@code sm/};
     * waits for a snapshot being written there ({@link #takeSnapshot}).
     */
    @Override
    public void pause() {
        synchronized (snapshotLock) {
            LifeCycle lc = getLifeCycle();
            if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
                lc.transition(LifeCycle.State.PAUSING);
                lc.transition(LifeCycle.State.PAUSED);
            }
        }
    }

    @Override
    public void reinitialize() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot != null) {
            installSnapshot(snapshot);
            latestSnapshot = snapshot;
        }
        LifeCycle lc = getLifeCycle();
        if (lc.getCurrentState() == LifeCycle.State.PAUSED) {
            lc.transition(LifeCycle.State.STARTING);
            lc.transition(LifeCycle.State.RUNNING);
        }
    }

    private void installSnapshot(SingleFileSnapshotInfo snapshot) throws IOException {
        Path file = snapshot.getFile().getPath();
        SnapshotInfo info = Snapshots.inspect(file);
        if (logId == null) {
            writeLogId(info.logId());
            logId = info.logId();
        } else if (!logId.equals(info.logId())) {
            throw new IOException("snapshot " + file + " belongs to log " + info.logId() + ", this node to " + logId);
        }
        if (applier != null && applier.appliedIndex() >= info.index()) {
            LOG.info("{}: snapshot {} is not ahead of SQLite ({}); keeping the database", node, info.index(),
                    applier.appliedIndex());
        } else {
            if (applier == null) {
                applier = SqliteApplier.open(dbFile, applierConfig());
            }
            applier.restoreSnapshot(file, info.sha256());
            LOG.info("{}: installed snapshot {} (SQL-log index {})", node, snapshot.getTermIndex(), info.index());
        }
        SqliteApplier a = applier;
        applier = null;
        a.close();
        applier = openAligned();
        setLastAppliedTermIndex(snapshot.getTermIndex());
        notifyApplied(appliedIndex());
    }

    private String readLogId() throws IOException {
        Path f = dataDir.resolve(LOG_ID_FILE);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.US_ASCII).trim() : null;
    }

    private void writeLogId(String id) {
        try {
            Path f = dataDir.resolve(LOG_ID_FILE);
            Path tmp = dataDir.resolve(LOG_ID_FILE + ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new SqlLogException(node + ": cannot record the log id: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        getLifeCycle().checkStateAndClose(() -> {
            SqliteApplier a = applier;
            applier = null;
            if (a != null) {
                a.close();
            }
            SegmentStore s = segments;
            if (s != null) {
                s.close();
            }
        });
    }
}
