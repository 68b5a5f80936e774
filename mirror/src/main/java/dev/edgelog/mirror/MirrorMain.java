package dev.edgelog.mirror;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgelog mirror --config mirror.yaml [--node-name N] [--data-dir DIR] [--insecure]}: runs a
 * mirror until SIGTERM/SIGINT. Flags override the file's keys. Prints
 * {@code READY node=… http=host:port} on stdout once it serves (logs go to stderr).
 */
@Command(name = "mirror", mixinStandardHelpOptions = true,
        description = "Relay the edgelog SQL log: follow an upstream, serve the pull API to the tier below.")
public final class MirrorMain implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file")
    Path config;

    @Option(names = "--node-name", description = "overrides node_name")
    String nodeName;

    @Option(names = "--data-dir", description = "overrides data_dir")
    Path dataDir;

    @Option(names = "--insecure", description = "serve downstream without authentication (development and demos)")
    boolean insecure;

    public static void main(String[] args) {
        String[] rest = args.length > 0 && args[0].equals("mirror") ? Arrays.copyOfRange(args, 1, args.length) : args;
        System.exit(new CommandLine(new MirrorMain()).execute(rest));
    }

    @Override
    public Integer call() throws Exception {
        MirrorConfig c;
        try {
            c = MirrorConfigFile.load(config, nodeName, dataDir);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("edgelog mirror: bad configuration: " + e.getMessage());
            return 2;
        }
        if (c.credentials() == null && !insecure) {
            System.err.println("edgelog mirror: no authentication is configured for the tier below (auth.tokens_file"
                    + " or auth.users_file); refusing to start an open listener. Pass --insecure to run without"
                    + " authentication on purpose.");
            return 2;
        }
        MirrorNode node = MirrorNode.start(c);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        System.out.println("READY node=" + c.nodeName() + " http=" + c.httpHost() + ":" + node.httpPort());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
