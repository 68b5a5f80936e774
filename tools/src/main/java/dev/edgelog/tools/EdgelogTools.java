package dev.edgelog.tools;

import dev.edgelog.tools.demo.DemoCommand;
import dev.edgelog.tools.status.StatusCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code edgelog demo|status …}: the commands beside the three roles (the {@code edgelog} launcher
 * at the repository root sends {@code primary}, {@code mirror} and {@code edge} to the role jars).
 */
@Command(name = "edgelog", mixinStandardHelpOptions = true, subcommands = {DemoCommand.class, StatusCommand.class},
        description = "edgelog tools: run the demo topology, or show a node's status.")
public final class EdgelogTools {

    private EdgelogTools() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EdgelogTools()).execute(args));
    }
}
