package dev.edgelog.sqllog.config;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * What every role's command does around its node ({@link #run}): load the config file (a bad one is
 * exit code 2 with the reason), answer {@code --check}, refuse an open listener unless told
 * {@code --insecure} (or, where the role allows it, unless it binds a loopback address), then run
 * the node until SIGTERM/SIGINT, printing {@code READY …} on stdout once it serves (logs go to
 * stderr), and close it from the shutdown hook.
 */
public final class RoleProcess {

    /**
     * The environment variable naming a parent process (pid) this node exits with: a demo or test
     * that starts roles as child processes sets it, so that no node outlives it, even when the
     * parent is killed with SIGKILL.
     */
    public static final String EXIT_WITH_PARENT_ENV = "EDGELOG_EXIT_WITH_PARENT";

    private RoleProcess() {
    }

    /** A started node. */
    @FunctionalInterface
    public interface Node {
        void close() throws Exception;
    }

    /** Reads a role's config file; an {@link IllegalArgumentException} or I/O error means a bad one. */
    @FunctionalInterface
    public interface Loader<C> {
        C load() throws IOException;
    }

    /** Starts a role's node from its config. */
    @FunctionalInterface
    public interface Starter<C> {
        Started start(C config) throws Exception;
    }

    /** A node that serves, and the line that says so. */
    public record Started(Node node, String readyLine) {
    }

    /**
     * What the start rule needs to know of a role's listener.
     *
     * @param bindHost       the host it binds when an open listener may run there if it is loopback;
     *                       null for a role without that exception
     * @param hasCredentials whether {@code auth} is configured
     */
    public record Listener(String bindHost, boolean hasCredentials) {
    }

    /**
     * The whole command: 2 for a bad config file or a refused start (one of its ports taken
     * included: one line on stderr, no stack trace), 0 for {@code check} on a good
     * one (with a warning on stderr when the node would refuse to start as configured), else serves
     * until stopped.
     */
    public static <C> int run(String role, Path file, boolean check, boolean insecure, Loader<C> loader,
                              Function<C, Listener> listener, Starter<C> starter) throws Exception {
        C config;
        try {
            config = loader.load();
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("edgelog " + role + ": bad configuration: " + e.getMessage());
            return 2;
        }
        Listener l = listener.apply(config);
        if (check) {
            System.out.println("edgelog " + role + ": " + file + ": configuration ok");
            if (!mayStart(l, insecure)) {
                System.err.println("edgelog " + role + ": warning: as configured it will not start: "
                        + openListener(l.bindHost()));
            }
            return 0;
        }
        if (!authorizedToStart(role, l, insecure)) {
            return 2;
        }
        Started s;
        try {
            s = starter.start(config);
        } catch (Exception e) {
            BindException taken = bindFailure(e);
            if (taken == null) {
                throw e;
            }
            System.err.println("edgelog " + role + ": cannot start, an address it must listen on is taken: "
                    + taken.getMessage() + (taken == e ? "" : " (" + e.getMessage() + ")"));
            return 2;
        }
        return serve(role, s.node(), s.readyLine());
    }

    /** The {@link BindException} that {@code e} is or was caused by, or null (a port it must listen on is taken). */
    public static BindException bindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException b) {
                return b;
            }
        }
        return null;
    }

    private static boolean mayStart(Listener l, boolean insecure) {
        return l.hasCredentials() || insecure || (l.bindHost() != null && isLoopback(l.bindHost()));
    }

    private static String openListener(String bindHost) {
        return "no authentication is configured (auth.users_file or auth.tokens_file); refusing to start"
                + " an open listener" + (bindHost == null ? "" : " on " + bindHost
                + " (only a loopback http_address may run open)")
                + ". Pass --insecure to run without authentication on purpose.";
    }

    private static void watchParent(String role) {
        String pid = System.getenv(EXIT_WITH_PARENT_ENV);
        if (pid == null || pid.isBlank()) {
            return;
        }
        java.util.Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid.strip()));
        Thread watchdog = new Thread(() -> {
            while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("edgelog " + role + ": parent process " + pid + " is gone; stopping");
            System.exit(0); // runs the shutdown hook, which closes the node
        }, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** The arguments after the subcommand name, when the first one is {@code role}. */
    public static String[] argsAfter(String role, String[] args) {
        return args.length > 0 && args[0].equals(role) ? Arrays.copyOfRange(args, 1, args.length) : args;
    }

    /**
     * False (after saying why on stderr) when the node would serve without authentication and the
     * operator did not pass {@code --insecure}, unless the role allows an open listener on loopback
     * ({@link Listener#bindHost()} set) and it binds a loopback address.
     */
    public static boolean authorizedToStart(String role, Listener listener, boolean insecure) {
        if (mayStart(listener, insecure)) {
            return true;
        }
        System.err.println("edgelog " + role + ": " + openListener(listener.bindHost()));
        return false;
    }

    /**
     * Whether a listener bound to {@code host} is reachable from this machine only: the host
     * resolves (as the bind does) to a loopback address ({@code 127.0.0.0/8}, {@code ::1},
     * {@code localhost}). A wildcard ({@code 0.0.0.0}, {@code ::}) or a name that does not resolve is
     * not.
     */
    public static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Prints {@code readyLine}, then blocks until the JVM is asked to stop and {@code node} is closed. */
    public static int serve(String role, Node node, String readyLine) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        watchParent(role);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("edgelog " + role + ": error while stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        System.out.println(readyLine);
        System.out.flush();
        stopped.await();
        return 0;
    }
}
