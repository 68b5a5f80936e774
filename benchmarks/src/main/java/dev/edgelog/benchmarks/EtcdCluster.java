package dev.edgelog.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local 3-member etcd cluster (the Debian package {@code etcd-server}) on 127.0.0.1, the
 * reference for the commit benchmark: a mature Raft store on the same machine, loaded through its
 * HTTP/JSON gateway ({@code POST /v3/kv/put}) by the same client as edgelog.
 */
final class EtcdCluster implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final List<Integer> clientPorts = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    /** The {@code etcd} binary on the PATH, or null. */
    static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "etcd");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    EtcdCluster(Path etcd, Path dir, List<Integer> ports) throws IOException {
        StringBuilder initial = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            initial.append(i == 0 ? "" : ",").append("e").append(i).append("=http://127.0.0.1:").append(ports.get(i * 2 + 1));
        }
        try {
            for (int i = 0; i < 3; i++) {
                int client = ports.get(i * 2);
                int peer = ports.get(i * 2 + 1);
                Files.createDirectories(dir);
                processes.add(new ProcessBuilder(etcd.toString(), "--name", "e" + i,
                        "--data-dir", dir.resolve("e" + i).toString(),
                        "--listen-client-urls", "http://127.0.0.1:" + client,
                        "--advertise-client-urls", "http://127.0.0.1:" + client,
                        "--listen-peer-urls", "http://127.0.0.1:" + peer,
                        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                        "--initial-cluster", initial.toString(), "--initial-cluster-state", "new",
                        "--initial-cluster-token", "edgelog-bench")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("e" + i + ".log").toFile())
                        .start());
                clientPorts.add(client);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The leader's client address, once the cluster has one. */
    InetSocketAddress awaitLeader(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (int port : clientPorts) {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/v3/maintenance/status"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
                    JsonNode s = json.readTree(r.body());
                    if (r.statusCode() == 200 && s.path("leader").asText("x").equals(s.path("header").path("member_id").asText())) {
                        return new InetSocketAddress("127.0.0.1", port);
                    }
                } catch (IOException e) {
                    // not listening yet
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("etcd elected no leader within " + timeout);
    }

    /** CPU time the members have used so far (0 for a member whose figure the OS does not give). */
    long cpuNanos() {
        long sum = 0;
        for (Process p : processes) {
            sum += p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return sum;
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
