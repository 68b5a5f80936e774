package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryMembershipIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void when_aMemberIsAddedMadeLeaderAndAnotherRemoved_then_theClusterKeepsCommitting() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            assertEquals(200, c.post(c.leader(), "/db/execute", "[\"CREATE TABLE t(x)\", \"INSERT INTO t VALUES(1)\"]")
                    .statusCode());
            List<PrimaryConfig.Peer> peers = new ArrayList<>(c.configs.get(0).peers());
            PrimaryConfig.Peer n3 = new PrimaryConfig.Peer("n3", "127.0.0.1:" + TestCluster.freePort(),
                    "127.0.0.1:" + TestCluster.freePort());
            peers.add(n3);
            try (PrimaryNode joiner = PrimaryNode.start(PrimaryConfig.of("n3", dir.resolve("n3"), peers).asJoining())) {
                HttpResponse<String> add = c.post(c.follower(), "/admin/members", "{\"id\": \"n3\", \"raft_address\": \""
                        + n3.raftAddress() + "\", \"http_address\": \"" + n3.httpAddress() + "\"}");
                assertEquals(200, add.statusCode(), add.body());
                long target = c.nodes[c.leader()].stateMachine().appliedIndex();
                TestCluster.await("the new member caught up", Duration.ofSeconds(60),
                        () -> joiner.stateMachine().appliedIndex() >= target);

                JsonNode nodes = JSON.readTree(c.get(0, "/nodes").body());
                assertEquals(4, nodes.size(), nodes.toString());
                assertEquals("http://" + n3.httpAddress(), nodes.get("n3").get("api_addr").asText());

                HttpResponse<String> transfer = c.post(c.follower(), "/admin/leader", "{\"id\": \"n3\"}");
                assertEquals(200, transfer.statusCode(), transfer.body());
                TestCluster.await("n3 leads", Duration.ofSeconds(30), joiner::isLeader);

                int leaving = 0;
                HttpResponse<String> remove = c.post(1, "/admin/members/n" + leaving, "", "DELETE", null);
                assertEquals(200, remove.statusCode(), remove.body());
                c.stop(leaving);
                HttpResponse<String> w = c.post(1, "/db/execute", "[\"INSERT INTO t VALUES(2)\"]");
                assertEquals(200, w.statusCode(), w.body());
                JsonNode after = JSON.readTree(c.get(2, "/nodes").body());
                assertEquals(3, after.size(), after.toString());
                assertFalse(after.has("n0"), after.toString());
                assertTrue(c.get(2, "/db/query?level=linearizable&q=SELECT%20count(*)%20FROM%20t").body()
                        .contains("[[2]]"));
            }
        }
    }
}
