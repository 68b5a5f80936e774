package dev.edgelog.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a newcomer runs it: {@code ./edgelog demo --headless} starts six real processes
 * and writes; {@code ./edgelog status} shows the tree; stopping the demo (SIGTERM, or even SIGKILL)
 * leaves no process behind.
 */
class DemoIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path LAUNCHER = Path.of("..", "edgelog").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private Process demo;
    private final List<Long> pids = new ArrayList<>();
    private final Http http = new Http(null);

    @AfterEach
    void stop() throws InterruptedException {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private JsonNode startDemo(String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString(), "demo", "--headless", "--dir",
                dir.resolve("demo").toString()));
        cmd.addAll(List.of(flags));
        demo = new ProcessBuilder(cmd).redirectError(dir.resolve("demo.stderr").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(180, TimeUnit.SECONDS);
        assertTrue(line != null && line.startsWith("{"), "the demo's JSON line, got " + line + "; see "
                + dir.resolve("demo.stderr"));
        JsonNode topology = JSON.readTree(line);
        topology.path("nodes").forEach(n -> pids.add(n.path("pid").asLong()));
        assertEquals(6, pids.size(), line);
        return topology;
    }

    private static String url(JsonNode topology, String name) {
        for (JsonNode n : topology.path("nodes")) {
            if (n.path("name").asText().equals(name)) {
                return n.path("url").asText();
            }
        }
        throw new AssertionError("no " + name);
    }

    private long applied(String url) {
        try {
            return http.getJson(url + "/status").path("applied_index").asLong(-1);
        } catch (Exception e) {
            return -1;
        }
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    private void awaitAllGone() throws InterruptedException {
        await("every process the demo started to exit", 60_000,
                () -> pids.stream().noneMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void when_theDemoRuns_then_writesReachBothEdgesStatusShowsTheTreeAndSigtermStopsEverything() throws Exception {
        JsonNode topology = startDemo();
        String edge1 = url(topology, "edge-1");
        String edge2 = url(topology, "edge-2");
        await("campaign writes reach both edges", 60_000, () -> applied(edge1) > 20 && applied(edge2) > 20);

        await("the primary's fleet shows the mirror and both edges", 60_000, () -> {
            try {
                String s = run(LAUNCHER.toString(), "status", url(topology, "n1"));
                return s.contains("mirror-1") && s.contains("edge-1") && s.contains("edge-2")
                        && s.contains("→ mirror-1");
            } catch (Exception e) {
                return false;
            }
        });
        assertTrue(run(LAUNCHER.toString(), "status", edge1).startsWith("edge-1 (edge)"));

        demo.destroy(); // SIGTERM, as systemd or a script would stop it
        assertTrue(demo.waitFor(90, TimeUnit.SECONDS), "the demo stops");
        awaitAllGone();
    }

    @Test
    void when_theDemoIsKilled_then_itsProcessesExitToo_andNoLoadWritesNothing() throws Exception {
        JsonNode topology = startDemo("--no-load");
        String n1 = url(topology, "n1");
        assertEquals(0, http.getJson(n1 + "/v1/status").path("commit_index").asLong(), "no write stream");

        demo.destroyForcibly(); // SIGKILL: no shutdown hook runs in the demo
        assertTrue(demo.waitFor(30, TimeUnit.SECONDS));
        awaitAllGone();
    }
}
