package dev.edgelog.edge;

import dev.edgelog.sqllog.config.RoleProcess;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgelog edge --config edge.yaml [--node-name N] [--data-dir DIR]}: runs the edge agent until
 * SIGTERM/SIGINT. Flags override the file's keys. Prints {@code READY node=… http=…} on stdout once
 * its local API listens (logs go to stderr).
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

    public static void main(String[] args) {
        System.exit(new CommandLine(new EdgeMain()).execute(RoleProcess.argsAfter("edge", args)));
    }

    @Override
    public Integer call() throws Exception {
        EdgeConfig c;
        try {
            c = EdgeConfigFile.load(config, nodeName, dataDir);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("edgelog edge: bad configuration: " + e.getMessage());
            return 2;
        }
        if (check) {
            System.out.println("edgelog edge: " + config + ": configuration ok");
            return 0;
        }
        EdgeAgent agent = EdgeAgent.start(c);
        return RoleProcess.serve("edge", agent::close, "READY node=" + c.nodeName() + " http=" + c.httpHost() + ":"
                + agent.httpPort());
    }
}
