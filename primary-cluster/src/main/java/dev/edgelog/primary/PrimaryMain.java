package dev.edgelog.primary;

import dev.edgelog.sqllog.config.RoleProcess;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgelog primary --config primary.yaml [--node-id ID] [--data-dir DIR] --insecure}: runs one
 * primary node until SIGTERM/SIGINT. Flags override the file's keys.
 */
@Command(name = "primary", mixinStandardHelpOptions = true,
        description = "Run a node of the edgelog primary cluster (Raft + rqlite-compatible SQL API).")
public final class PrimaryMain implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file")
    Path config;

    @Option(names = "--check", description = "validate the configuration, print what it means and exit")
    boolean check;

    @Option(names = "--node-id", description = "overrides node_id")
    String nodeId;

    @Option(names = "--data-dir", description = "overrides data_dir")
    Path dataDir;

    @Option(names = "--insecure", description = "run without authentication and TLS (development and demos)")
    boolean insecure;

    public static void main(String[] args) {
        dev.edgelog.primary.raft.RaftSetup.pooledAsyncCompletions(); // before anything uses CompletableFuture
        System.exit(new CommandLine(new PrimaryMain()).execute(RoleProcess.argsAfter("primary", args)));
    }

    @Override
    public Integer call() throws Exception {
        return RoleProcess.run("primary", config, check, insecure, () -> PrimaryConfigFile.load(config, nodeId, dataDir),
                c -> new RoleProcess.Listener(null, c.credentials() != null),
                c -> new RoleProcess.Started(PrimaryNode.start(c)::close,
                        "READY node=" + c.nodeId() + " http=" + c.self().httpAddress()));
    }
}
