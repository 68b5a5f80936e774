package dev.edgelog.tools.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgelog.tools.Http;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code edgelog status URL [--token-file F]}: what a node says about itself, whatever its role,
 * and for a primary node (or a mirror) the fleet below it, one line per node.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a node's status; for a primary node or a mirror, also the fleet below it.")
public final class StatusCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the node's HTTP address, e.g. http://10.0.0.1:4001")
    String url;

    @Option(names = "--token-file", description = "file holding a bearer token (pull and status scopes)")
    Path tokenFile;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        if (!base.contains("://")) {
            base = "http://" + base;
        }
        Http http = new Http(tokenFile == null ? null : Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
        JsonNode status;
        try {
            status = http.getJson(base + "/status");
        } catch (Exception e) {
            System.err.println("edgelog status: " + base + ": " + e.getMessage());
            return 1;
        }
        if (status.has("store")) {
            primary(http, base, status);
        } else {
            follower(status);
            if ("mirror".equals(status.path("role").asText())) {
                fleet(http, base);
            }
        }
        return 0;
    }

    private void primary(Http http, String base, JsonNode status) throws Exception {
        JsonNode log = http.getJson(base + "/v1/status");
        JsonNode store = status.path("store");
        out.printf(Locale.ROOT, "%s: primary node %s, %s; log %s, commit index %d, segments %d..%d (%,d bytes)%n", base,
                log.path("node").asText(), store.path("is_leader").asBoolean() ? "leader" : "follower",
                log.path("log_id").asText(), log.path("commit_index").asLong(), log.path("first_index").asLong(),
                log.path("last_index").asLong(), log.path("segment_bytes").asLong());
        fleet(http, base);
    }

    private void follower(JsonNode s) {
        out.printf(Locale.ROOT, "%s (%s): log %s, applied index %d, %d behind %s%n", s.path("node").asText(),
                s.path("role").asText(s.has("database") ? "edge" : "?"), s.path("log_id").asText(),
                s.path("applied_index").asLong(), s.path("lag_entries").asLong(), s.path("upstream").asText());
        if (s.hasNonNull("last_error")) {
            out.println("  last error: " + s.path("last_error").asText());
        }
        out.printf(Locale.ROOT, "  bootstraps %d, failovers %d, refused answers %d%n", s.path("bootstraps").asLong(),
                s.path("failovers").asLong(), s.path("rejected_batches").asLong());
    }

    private void fleet(Http http, String base) throws Exception {
        JsonNode fleet = http.getJson(base + "/v1/fleet");
        out.printf(Locale.ROOT, "%nfleet below %s (%d nodes; stale after %d s):%n", fleet.path("node").asText(),
                fleet.path("nodes").size(), fleet.path("stale_after_ms").asLong() / 1000);
        out.printf(Locale.ROOT, "%-20s %-7s %-36s %10s %8s %9s  %s%n", "node", "role", "path", "applied", "lag",
                "seen", "");
        for (JsonNode n : fleet.path("nodes")) {
            List<String> path = new ArrayList<>();
            n.path("path").forEach(p -> path.add(p.asText()));
            out.printf(Locale.ROOT, "%-20s %-7s %-36s %10d %8d %8.1fs  %s%n", n.path("node").asText(),
                    n.path("role").asText("?"), String.join(" → ", path), n.path("applied_index").asLong(),
                    n.path("lag_entries").asLong(), n.path("age_ms").asLong() / 1000.0,
                    n.path("stale").asBoolean() ? "STALE" : "");
        }
        if (fleet.has("unreachable_peers")) {
            fleet.path("unreachable_peers").forEach(p -> out.println("  (peer not reached: " + p.asText() + ")"));
        }
    }
}
