package dev.edgelog.tools.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.tools.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak ({@code mvn -B verify -Psoak -pl tools -am}, 30 minutes): the demo topology under the
 * campaign write stream, each process's resident memory sampled every 30 s and printed as a table
 * (it should stay flat), then the writes stop and every node must converge to the primary's
 * content. Runs only when {@code edgelog.soak.minutes} is set (the {@code soak} profile sets it).
 */
@EnabledIfSystemProperty(named = "edgelog.soak.minutes", matches = "[1-9][0-9]*")
class SoakIT {

    private static final String CONTENT = "SELECT count(*) || '|' || coalesce(sum(bid), 0) || '|' || "
            + "coalesce(group_concat(id || ':' || status || ':' || updated_at, ','), '') FROM "
            + "(SELECT * FROM campaigns ORDER BY id)";

    @TempDir
    Path dir;

    @Test
    void when_theDemoTopologyRunsForLong_then_memoryStaysFlatAndEveryNodeConverges() throws Exception {
        int minutes = Integer.parseInt(System.getProperty("edgelog.soak.minutes"));
        Http http = new Http(null);
        try (Topology t = Topology.start(Path.of("..").toAbsolutePath().normalize(), dir, System.out)) {
            t.awaitReady(http, 120_000);
            CampaignLoad load = new CampaignLoad(http, t.primaries().stream().map(Topology.Node::url).toList(), 100);
            Map<String, List<Long>> rss = new LinkedHashMap<>();
            t.all().forEach(n -> rss.put(n.name(), new ArrayList<>()));
            try (load) {
                load.start();
                long end = System.currentTimeMillis() + minutes * 60_000L;
                while (System.currentTimeMillis() < end) {
                    for (Topology.Node n : t.all()) {
                        rss.get(n.name()).add(rssMb(n.process().pid()));
                    }
                    Thread.sleep(30_000);
                }
            }
            System.out.println("soak: " + minutes + " min at 100 writes/s, " + load.acknowledged() + " acknowledged, "
                    + load.failed() + " not; resident memory (MB) every 30 s:");
            rss.forEach((name, samples) -> System.out.printf(Locale.ROOT, "  %-9s %s%n", name, samples));
            long commit = http.getJson(t.primaries().get(0).url() + "/v1/status").path("commit_index").asLong();
            String expected = http.getJson(t.primaries().get(0).url() + "/db/query?level=none&q="
                    + java.net.URLEncoder.encode(CONTENT, java.nio.charset.StandardCharsets.UTF_8))
                    .path("results").get(0).path("values").get(0).get(0).asText();
            for (Topology.Node n : t.all().subList(3, t.all().size())) {
                long deadline = System.currentTimeMillis() + 120_000;
                while (http.getJson(n.url() + "/status").path("applied_index").asLong() < commit
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(200);
                }
                assertEquals(expected, content(n.database()), n.name() + " converged to the primary's content");
            }
        }
    }

    private static long rssMb(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    private static String content(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CONTENT)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
