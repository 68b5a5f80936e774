package dev.edgelog.primary;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @Option(names = "--node-id", description = "overrides node_id")
    String nodeId;

    @Option(names = "--data-dir", description = "overrides data_dir")
    Path dataDir;

    @Option(names = "--insecure", description = "run without authentication and TLS (development and demos)")
    boolean insecure;

    public static void main(String[] args) {
        String[] rest = args.length > 0 && args[0].equals("primary") ? java.util.Arrays.copyOfRange(args, 1, args.length)
                : args;
        System.exit(new CommandLine(new PrimaryMain()).execute(rest));
    }

    @Override
    public Integer call() throws Exception {
        PrimaryConfig c;
        try {
            c = PrimaryConfigFile.load(config, nodeId, dataDir);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("edgelog primary: bad configuration: " + e.getMessage());
            return 2;
        }
        if (c.credentials() == null && !insecure) {
            System.err.println("edgelog primary: no authentication is configured (auth.users_file or"
                    + " auth.tokens_file); refusing to start an open listener. Pass --insecure to run without"
                    + " authentication on purpose.");
            return 2;
        }
        PrimaryNode node = PrimaryNode.start(c);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("edgelog primary: error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        System.out.println("READY node=" + c.nodeId() + " http=" + c.self().httpAddress());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
