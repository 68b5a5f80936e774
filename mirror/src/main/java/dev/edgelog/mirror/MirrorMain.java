package dev.edgelog.mirror;

import dev.edgelog.sqllog.config.RoleProcess;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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

    @Option(names = "--check", description = "validate the configuration, print what it means and exit")
    boolean check;

    @Option(names = "--node-name", description = "overrides node_name")
    String nodeName;

    @Option(names = "--data-dir", description = "overrides data_dir")
    Path dataDir;

    @Option(names = "--insecure", description = "serve downstream without authentication (development and demos)")
    boolean insecure;

    public static void main(String[] args) {
        System.exit(new CommandLine(new MirrorMain()).execute(RoleProcess.argsAfter("mirror", args)));
    }

    @Override
    public Integer call() throws Exception {
        return RoleProcess.run("mirror", config, check, insecure, () -> MirrorConfigFile.load(config, nodeName, dataDir),
                c -> new RoleProcess.Listener(null, c.follow().credentials() != null), c -> {
                    MirrorNode node = MirrorNode.start(c);
                    return new RoleProcess.Started(node::close,
                            "READY node=" + c.follow().nodeName() + " http=" + c.follow().httpHost() + ":" + node.httpPort());
                });
    }
}
