package dev.edgelog.primary.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.LogProtoUtils;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.StorageImplUtils;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state machine's snapshots against what Ratis does around them, driven through its public
 * methods on real storage (no Raft server; the state machine only reads a server's id): a follower installing the leader's snapshot calls
 * {@code pause()} from its RPC thread and then replaces {@code sm/} wholesale, while the
 * state-machine thread may be writing a snapshot there; a restarted node replays entries SQLite
 * already holds; and any exception but an IOException out of {@code takeSnapshot} closes the node's
 * Raft division.
 */
class SqlStateMachineSnapshotTest {

    private static final String INSERT = "INSERT INTO t(id, pad) VALUES(?, ?)";

    @TempDir
    Path dir;

    private final RaftGroupId group = RaftGroupId.randomId();
    private final List<AutoCloseable> open = new ArrayList<>();
    private long raftIndex;
    private RaftStorage storage;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }

    @Test
    void when_aSnapshotIsBeingWritten_then_pauseWaitsForItAndLaterSnapshotsWaitForTheResume() throws Exception {
        SqlStateMachine sm = startWithTable();
        for (int i = 0; i < 8; i++) {
            apply(sm, 5_000, 1 + i * 5_000L); // ~20 MB, so that the copy takes a while
        }
        Path smDir = smDir();
        CompletableFuture<Long> taking = CompletableFuture.supplyAsync(() -> {
            try {
                return sm.takeSnapshot();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        while (tmpFiles(smDir).isEmpty()) {
            assertFalse(taking.isDone(), "the copy was done before the test saw it; make the database larger");
            Thread.onSpinWait();
        }
        sm.pause(); // what a follower's RPC thread does right before it replaces sm/
        assertEquals(List.of(), tmpFiles(smDir), "pause() returned while a snapshot was being written into sm/");
        assertTrue(Files.exists(smDir.resolve("snapshot.1_" + raftIndex + ".md5")), "the snapshot completed first");
        assertEquals(raftIndex, taking.get(30, TimeUnit.SECONDS));

        assertEquals(RaftLog.INVALID_LOG_INDEX, sm.takeSnapshot(), "no snapshot into sm/ while paused");
        assertEquals(List.of(), tmpFiles(smDir));
        sm.reinitialize(); // the snapshot just taken is the latest: SQLite stays as it is
        apply(sm, 10, 1 + 8 * 5_000L);
        assertEquals(raftIndex, sm.takeSnapshot(), "snapshots again once resumed");
    }

    @Test
    void when_ratisReplaysEntriesSqliteHolds_then_noSnapshotUntilTheReplayPassesThem() throws Exception {
        SqlStateMachine sm = startWithTable();
        apply(sm, 10, 1);
        apply(sm, 10, 11);
        long last = raftIndex;
        close();

        raftIndex = 0;
        SqlStateMachine restarted = startWithTable(); // no snapshot: Ratis replays from the first entry
        assertEquals(RaftLog.INVALID_LOG_INDEX, restarted.takeSnapshot(),
                "SQLite holds entries up to Raft " + last + "; a snapshot now would be named after Raft " + raftIndex);
        apply(restarted, 10, 1);
        apply(restarted, 10, 11);
        assertEquals(3, restarted.appliedIndex(), "the replay applied nothing twice");
        assertEquals(last, restarted.takeSnapshot());
    }

    @Test
    void when_theSnapshotCannotBeWritten_then_takeSnapshotThrowsAnIOExceptionAndTheNextOneWorks() throws Exception {
        SqlStateMachine sm = startWithTable();
        apply(sm, 10, 1);
        Path smDir = smDir();
        try (Stream<Path> files = Files.walk(smDir)) { // as a snapshot install moves it away
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        IOException e = assertThrows(IOException.class, sm::takeSnapshot,
                "an exception other than an IOException would close the Raft division");
        assertTrue(e.getMessage().contains("snapshot at Raft"), e.getMessage());
        Files.createDirectories(smDir);
        assertEquals(raftIndex, sm.takeSnapshot());
        apply(sm, 10, 11);
        assertEquals(3, sm.appliedIndex(), "applies go on after the failed snapshot");
    }

    /**
     * Starts the state machine on the test's storage (which it opens) and applies the log-id entry
     * and the CREATE TABLE (Raft entries {@code raftIndex + 1} and {@code + 2}).
     */
    private SqlStateMachine startWithTable() throws Exception {
        storage = StorageImplUtils.newRaftStorage(dir.resolve("raft").toFile(), SizeInBytes.ZERO,
                RaftStorage.StartupOption.RECOVER, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
        storage.initialize();
        SqlStateMachine sm = new SqlStateMachine("n0", dir.resolve("data"), SegmentStoreConfig.defaults(),
                Clock.systemUTC());
        sm.initialize(server("n0"), group, storage);
        open.add(sm);
        open.add(storage);
        init(sm);
        apply(sm, 1, 0);
        return sm;
    }

    /** Only the server's id, which the state machine's name reads; nothing else of a server is used. */
    private static RaftServer server(String id) {
        return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> RaftPeerId.valueOf(id);
                    case "toString" -> id;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Path smDir() {
        return storage.getStorageDir().getStateMachineDir().toPath();
    }

    private static List<Path> tmpFiles(Path smDir) throws IOException {
        try (Stream<Path> files = Files.list(smDir)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp")).toList();
        }
    }

    private void init(SqlStateMachine sm) throws Exception {
        submit(sm, Proposals.init(new UUID(1, 2)));
    }

    /** One Raft entry: {@code rows} inserts from id {@code from}, or the CREATE TABLE when {@code from} is 0. */
    private void apply(SqlStateMachine sm, int rows, long from) throws Exception {
        List<Statement> statements = new ArrayList<>();
        if (from == 0) {
            statements.add(Statement.of("CREATE TABLE t(id INTEGER PRIMARY KEY, pad BLOB)"));
        } else {
            for (long id = from; id < from + rows; id++) {
                statements.add(Statement.of(INSERT, SqlValue.of(id), SqlValue.of(new byte[500])));
            }
        }
        submit(sm, Proposals.batch(List.of(new Entry(1, 0, 0, 1_700_000_000_000L, false, statements, List.of()))));
    }

    private void submit(SqlStateMachine sm, byte[] payload) throws Exception {
        StateMachineLogEntryProto data = StateMachineLogEntryProto.newBuilder()
                .setLogData(ByteString.copyFrom(payload)).build();
        LogEntryProto entry = LogProtoUtils.toLogEntryProto(data, 1, ++raftIndex);
        TransactionContext trx = TransactionContext.newBuilder().setStateMachine(sm)
                .setServerRole(RaftPeerRole.FOLLOWER).setLogEntry(entry).build();
        sm.applyTransaction(trx).get(30, TimeUnit.SECONDS);
    }
}
