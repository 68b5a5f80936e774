package dev.edgelog.edge;

import dev.edgelog.sqllog.config.RoleProcess;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgelog edge --config edge.yaml [--node-name N] [--data-dir DIR] [--insecure]}: runs the
 * edge agent until SIGTERM/SIGINT. Flags override the file's keys. Prints
 * {@code READY node=… http=…} on stdout once its local API listens (logs go to stderr). The local
 * API may run without {@code auth} on a loopback {@code http_address} (the default); on any other
 * address the agent refuses to start without {@code auth} unless given {@code --insecure}.
 */
@Command(name = "edge", mixinStandardHelpOptions = true,
        description = "Follow the edgelog SQL log into a local SQLite file for ad servers to read.")
public final class EdgeMain implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "YAML config file")
    Path config;

    @Option(names = "--check", description = "validate the configuration, print what it means and exit")
    boolean check;

    @Option(names = "--node-name", description = "overrides node_name")
    String nodeName;

    @Option(names = "--data-dir", description = "overrides data_dir")
    Path dataDir;

    @Option(names = "--insecure",
            description = "serve the local API without authentication on a non-loopback http_address")
    boolean insecure;

    public static void main(String[] args) {
        System.exit(new CommandLine(new EdgeMain()).execute(RoleProcess.argsAfter("edge", args)));
    }

    @Override
    public Integer call() throws Exception {
        return RoleProcess.run("edge", config, check, insecure, () -> EdgeConfigFile.load(config, nodeName, dataDir),
                c -> new RoleProcess.Listener(c.follow().httpHost(), c.follow().credentials() != null), c -> {
                    EdgeAgent agent = EdgeAgent.start(c);
                    return new RoleProcess.Started(agent::close,
                            "READY node=" + c.follow().nodeName() + " http=" + c.follow().httpHost() + ":" + agent.httpPort());
                });
    }
}
