package dev.edgelog.sqllog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.FaultProxy;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Followers behind a {@link FaultProxy}: each kind of link fault fails a pull whole, and a seeded
 * schedule of faults among writes, over two upstream links, ends with the follower's database
 * equal to the source's. A failing seed replays: the schedule is in the failure message.
 */
class FollowerFaultsIT {

    private static final String LOG_ID = "faults-log";

    @TempDir
    Path dir;

    @Test
    void when_theLinkFails_then_aPullFailsWholeAndWorksAgainOnceHealed() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("source"), LOG_ID);
             PullServer server = PullServer.start(source, null, dir.resolve("snaps"));
             FaultProxy proxy = FaultProxy.start(server.uri())) {
            source.appendRows(400); // about 100 KiB: an answer spans many TCP chunks
            try (PullClient client = new PullClient(proxy.uri(), PullClient.Options.of("f1")
                    .withStallTimeout(Duration.ofMillis(500)))) {
                proxy.cutAfter(5_000);
                assertThrows(IOException.class, () -> client.pull(0, LOG_ID, 1 << 20, Duration.ZERO), "cut mid-answer");
                proxy.heal().blackhole();
                assertThrows(IOException.class, () -> client.pull(0, LOG_ID, 1 << 20, Duration.ZERO), "partition");
                proxy.heal().refuse();
                assertThrows(IOException.class, () -> client.pull(0, LOG_ID, 1 << 20, Duration.ZERO), "refused");
                proxy.heal().delay(Duration.ofMillis(20)).bandwidth(2_000_000);
                assertEquals(400, client.pull(0, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(0), "slow but whole");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void when_faultsHitTheLinksWhileWritesGoOn_then_theFollowerEndsEqualToTheSource(long seed) throws Exception {
        Random random = new Random(seed);
        try (TestLogSource source = TestLogSource.open(dir.resolve("source"), LOG_ID);
             PullServer server = PullServer.start(source, null, dir.resolve("snaps"));
             FaultProxy a = FaultProxy.start(server.uri());
             FaultProxy b = FaultProxy.start(server.uri())) {
            source.appendRows(50);
            Follower f = new Follower(new FollowerSettings("f-" + seed, dir.resolve("edge.db"),
                    List.of(a.uri(), b.uri()), 16 * 1024, Duration.ofMillis(300), Duration.ofMillis(10),
                    Duration.ofMillis(100), Duration.ofMillis(300)),
                    PullClient.Options.of("f-" + seed).withStallTimeout(Duration.ofMillis(400)), Clock.systemUTC());
            List<String> schedule = new ArrayList<>();
            try (f) {
                f.start();
                for (int step = 0; step < 40; step++) {
                    FaultProxy p = random.nextBoolean() ? a : b;
                    switch (random.nextInt(7)) {
                        case 0 -> p.cutAfter(random.nextInt(20_000));
                        case 1 -> p.blackhole();
                        case 2 -> p.refuse();
                        case 3 -> p.delay(Duration.ofMillis(random.nextInt(50)));
                        case 4 -> p.bandwidth(200_000 + random.nextInt(2_000_000));
                        case 5 -> p.cutAll();
                        default -> p.heal();
                    }
                    schedule.add((p == a ? "a" : "b") + ":" + p.faults());
                    source.appendRows(1 + random.nextInt(30));
                    Thread.sleep(random.nextInt(60));
                }
                a.heal();
                b.heal();
                long last = source.commitIndex();
                Await.until("the follower at " + last + " after " + schedule, Duration.ofSeconds(60),
                        () -> f.status().appliedIndex() == last);
                assertEquals(TestLogSource.rows(source.databaseFile()), TestLogSource.rows(dir.resolve("edge.db")),
                        "seed " + seed);
                assertTrue(a.connections() + b.connections() > 1, "the faults forced reconnections");
            }
        }
    }
}
