package dev.edgelog.tools.demo;

import dev.edgelog.tools.Http;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's processes: three primary nodes, one mirror following them, two edge agents following
 * the mirror (and the primary nodes after it), each a JVM started from its role's jar on 127.0.0.1
 * with free ports and its own data directory. Every child exits with this JVM, even if it is
 * killed (the roles watch their parent); {@link #close()} stops them with SIGTERM first.
 */
final class Topology implements AutoCloseable {

    /** One process of the topology. */
    record Node(String name, String role, String http, Path dataDir, Path database, Path log, Process process) {
        String url() {
            return "http://" + http;
        }
    }

    private static final List<String> PRIMARY_JVM = List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC");
    private static final List<String> MIRROR_JVM = List.of("-Xms32m", "-Xmx160m", "-XX:+UseSerialGC");
    private static final List<String> EDGE_JVM = List.of("-Xms16m", "-Xmx64m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    private final Path home;
    private final Path dir;
    private final PrintStream progress;
    private final List<Node> primaries = new ArrayList<>();
    private final List<Node> edges = new ArrayList<>();
    private Node mirror;

    private Topology(Path home, Path dir, PrintStream progress) {
        this.home = home;
        this.dir = dir;
        this.progress = progress;
    }

    /** Starts everything under {@code dir}, with the jars of the checkout (or install) at {@code home}. */
    static Topology start(Path home, Path dir, PrintStream progress) throws Exception {
        Topology t = new Topology(home, dir, progress);
        try {
            t.startAll();
            return t;
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Files.createDirectories(dir);
        String[] http = new String[3];
        StringBuilder peers = new StringBuilder("peers:\n");
        for (int i = 0; i < 3; i++) {
            http[i] = "127.0.0.1:" + freePort();
            peers.append("  - {id: n").append(i + 1).append(", raft_address: \"127.0.0.1:").append(freePort())
                    .append("\", http_address: \"").append(http[i]).append("\"}\n");
        }
        for (int i = 0; i < 3; i++) {
            String name = "n" + (i + 1);
            Path config = write(name, "node_id: " + name + "\ndata_dir: " + dir.resolve(name) + "\n"
                    + "snapshot_threshold: 2000\nsegments: {segment_bytes: 1048576, retention_bytes: 8388608}\n" + peers);
            launch(name, "primary", http[i], dir.resolve(name), dir.resolve(name).resolve("db").resolve("edgelog.db"), PRIMARY_JVM, config,
                    "--insecure");
        }
        String upstreamPrimaries = "\"http://" + http[0] + "\", \"http://" + http[1] + "\", \"http://" + http[2] + "\"";
        String mirrorHttp = "127.0.0.1:" + freePort();
        Path mirrorConfig = write("mirror-1", "node_name: mirror-1\ndata_dir: " + dir.resolve("mirror-1") + "\n"
                + "upstreams: [" + upstreamPrimaries + "]\nhttp_address: " + mirrorHttp + "\n"
                + "fleet_report_ms: 1000\nworker_threads: 4\n");
        launch("mirror-1", "mirror", mirrorHttp, dir.resolve("mirror-1"), dir.resolve("mirror-1").resolve("mirror.db"),
                MIRROR_JVM, mirrorConfig, "--insecure");
        for (int e = 1; e <= 2; e++) {
            String name = "edge-" + e;
            String edgeHttp = "127.0.0.1:" + freePort();
            Path config = write(name, "node_name: " + name + "\ndata_dir: " + dir.resolve(name) + "\n"
                    + "upstreams: [\"http://" + mirrorHttp + "\", " + upstreamPrimaries + "]\n"
                    + "http_address: " + edgeHttp + "\npoll_wait_ms: 10000\n");
            launch(name, "edge", edgeHttp, dir.resolve(name), dir.resolve(name).resolve("edge.db"), EDGE_JVM, config);
        }
    }

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name + ".yaml"), yaml);
    }

    private Node launch(String name, String role, String http, Path dataDir, Path database, List<String> jvm,
                        Path config, String... flags) throws Exception {
        Path jar = jar(role);
        Path log = dir.resolve(name + ".log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", jar.toString(), role, "--config", config.toString()));
        cmd.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("EDGELOG_EXIT_WITH_PARENT", Long.toString(ProcessHandle.current().pid()));
        progress.printf("starting %-8s %-7s on %s%n", name, role, http);
        Process p = pb.start();
        Node n = new Node(name, role, http, dataDir, database, log, p);
        switch (role) {
            case "primary" -> primaries.add(n);
            case "mirror" -> mirror = n;
            default -> edges.add(n);
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("READY")) {
                Thread drain = new Thread(() -> drain(out), name + "-stdout");
                drain.setDaemon(true);
                drain.start();
                return n;
            }
        }
        throw new IllegalStateException(name + " exited before it was ready; see " + log);
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // the roles print only their READY line; keep the pipe from filling anyway
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** The role's jar: this checkout's build, or an install's {@code /opt/edgelog}. */
    private Path jar(String role) {
        String module = switch (role) {
            case "primary" -> "primary-cluster";
            case "mirror" -> "mirror";
            default -> "edge-agent";
        };
        for (Path p : List.of(home.resolve(module).resolve("target").resolve("edgelog-" + role + ".jar"),
                home.resolve("edgelog-" + role + ".jar"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("no edgelog-" + role + ".jar under " + home
                + " (build with: mvn -B -q package -DskipTests, or run ./edgelog demo which does)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until every node answers {@code /readyz} with 200 (the edges: bootstrapped and caught up). */
    void awaitReady(Http http, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        for (Node n : all()) {
            while (http.status(n.url() + "/readyz") != 200) {
                if (System.currentTimeMillis() > deadline || !n.process().isAlive()) {
                    throw new IllegalStateException(n.name() + " is not ready; see " + n.log());
                }
                Thread.sleep(200);
            }
        }
    }

    List<Node> primaries() {
        return primaries;
    }

    Node mirror() {
        return mirror;
    }

    List<Node> edges() {
        return edges;
    }

    List<Node> all() {
        List<Node> out = new ArrayList<>(primaries);
        if (mirror != null) {
            out.add(mirror);
        }
        out.addAll(edges);
        return out;
    }

    Path directory() {
        return dir;
    }

    /** SIGTERM to every child, then SIGKILL to any still running after 20 s. */
    @Override
    public void close() {
        List<Node> nodes = all();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).process().destroy();
        }
        for (Node n : nodes) {
            try {
                if (!n.process().waitFor(20, TimeUnit.SECONDS)) {
                    n.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
