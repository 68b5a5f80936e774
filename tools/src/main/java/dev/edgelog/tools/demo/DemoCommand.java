package dev.edgelog.tools.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.tools.Http;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgelog demo [--headless] [--no-load] [--dir DIR] [--rate N]}: the whole topology as real
 * processes on 127.0.0.1, a stream of campaign writes, and a live view of every node converging,
 * with a JDBC read from an edge database. Ctrl-C (or SIGTERM) stops every process it started.
 * {@code --headless} prints one JSON line describing every process instead of the view.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run 3 primary nodes, a mirror and 2 edge agents on 127.0.0.1 with a live view.")
public final class DemoCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--headless", description = "print one JSON line with every process's URLs and paths, no view")
    boolean headless;

    @Option(names = "--no-load", description = "start the topology without the write stream")
    boolean noLoad;

    @Option(names = "--dir", description = "data and logs (default: a new temporary directory)")
    Path dir;

    @Option(names = "--rate", defaultValue = "20", description = "writes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Override
    public Integer call() throws Exception {
        Path home = Path.of(System.getProperty("edgelog.home", ".")).toAbsolutePath().normalize();
        Path data = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("edgelog-demo-");
        PrintStream progress = headless ? System.err : System.out;
        CountDownLatch stopped = new CountDownLatch(1);
        Http http = new Http(null);
        Topology topology = Topology.start(home, data, progress);
        CampaignLoad load = noLoad ? null : new CampaignLoad(http,
                topology.primaries().stream().map(Topology.Node::url).toList(), rate);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (load != null) {
                    load.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                topology.close();
                stopped.countDown();
            }
        }, "demo-shutdown"));
        progress.println("waiting for every node to be ready…");
        topology.awaitReady(http, 120_000);
        if (load != null) {
            load.start();
        }
        if (headless) {
            System.out.println(describe(topology));
            System.out.flush();
            stopped.await();
            return 0;
        }
        try (LiveView view = new LiveView(topology, http, load, System.out, System.console() != null)) {
            while (stopped.getCount() > 0) {
                view.draw();
                Thread.sleep(1000);
            }
        }
        return 0;
    }

    /** Every process: name, role, URL, pid, data directory, database, log. */
    static String describe(Topology t) throws Exception {
        ObjectNode out = JSON.createObjectNode();
        out.put("data_dir", t.directory().toString());
        ArrayNode nodes = out.putArray("nodes");
        List<Topology.Node> all = t.all();
        for (Topology.Node n : all) {
            nodes.addObject().put("name", n.name()).put("role", n.role()).put("url", n.url())
                    .put("pid", n.process().pid()).put("data_dir", n.dataDir().toString())
                    .put("database", n.database().toString()).put("log", n.log().toString());
        }
        return JSON.writeValueAsString(out);
    }
}
