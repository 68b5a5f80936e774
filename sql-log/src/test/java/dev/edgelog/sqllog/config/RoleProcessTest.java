package dev.edgelog.sqllog.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoleProcessTest {

    @Test
    void when_theHostIsLoopback_then_anOpenListenerMayStartThere() {
        for (String host : List.of("127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost")) {
            assertTrue(RoleProcess.isLoopback(host), host);
            assertTrue(RoleProcess.authorizedToStart("edge", new RoleProcess.Listener(host, false), false), host);
        }
    }

    @Test
    void when_theHostIsNotLoopback_then_anOpenListenerNeedsInsecure() {
        for (String host : List.of("0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.7")) {
            assertFalse(RoleProcess.isLoopback(host), host);
            assertFalse(RoleProcess.authorizedToStart("edge", new RoleProcess.Listener(host, false), false), host);
            assertTrue(RoleProcess.authorizedToStart("edge", new RoleProcess.Listener(host, false), true),
                    host + " with --insecure");
            assertTrue(RoleProcess.authorizedToStart("edge", new RoleProcess.Listener(host, true), false),
                    host + " with credentials");
        }
    }

    @Test
    void when_noBindHostIsGiven_then_onlyCredentialsOrInsecureAllowTheStart() {
        assertFalse(RoleProcess.authorizedToStart("primary", new RoleProcess.Listener(null, false), false));
        assertTrue(RoleProcess.authorizedToStart("primary", new RoleProcess.Listener(null, false), true));
        assertTrue(RoleProcess.authorizedToStart("primary", new RoleProcess.Listener(null, true), false));
    }

    @Test
    void when_theConfigIsBadOrTheStartIsRefused_then_runExitsWith2WithoutStartingAndCheckSaysWhy() throws Exception {
        AtomicInteger started = new AtomicInteger();
        RoleProcess.Starter<String> starter = c -> {
            started.incrementAndGet();
            throw new AssertionError("must not start");
        };
        Path file = Path.of("role.yaml");
        assertEquals(2, RoleProcess.run("mirror", file, false, false, () -> {
            throw new IllegalArgumentException("bad key");
        }, c -> new RoleProcess.Listener(null, true), starter));
        assertEquals(2, RoleProcess.run("mirror", file, true, false, () -> {
            throw new IOException("unreadable");
        }, c -> new RoleProcess.Listener(null, true), starter));
        assertEquals(2, RoleProcess.run("mirror", file, false, false, () -> "ok",
                c -> new RoleProcess.Listener(null, false), starter), "open listener without --insecure");
        assertEquals(2, RoleProcess.run("edge", file, false, false, () -> "ok",
                c -> new RoleProcess.Listener("0.0.0.0", false), starter), "open on a wildcard address");
        assertEquals(0, RoleProcess.run("mirror", file, true, false, () -> "ok",
                c -> new RoleProcess.Listener(null, false), starter), "--check: a good file, with a warning");
        assertEquals(0, started.get());
    }

    @Test
    void when_aPortIsTaken_then_runExitsWith2AndOtherStartFailuresPropagate() throws Exception {
        Path file = Path.of("role.yaml");
        RoleProcess.Listener listener = new RoleProcess.Listener(null, true);
        // Undertow wraps the BindException in a RuntimeException
        assertEquals(2, RoleProcess.run("mirror", file, false, false, () -> "ok", c -> listener, c -> {
            throw new RuntimeException(new BindException("Address already in use"));
        }));
        assertEquals(2, RoleProcess.run("primary", file, false, false, () -> "ok", c -> listener, c -> {
            throw new BindException("n0: raft_address 127.0.0.1:7000: port 7000 is taken");
        }));
        IllegalStateException other = new IllegalStateException("disk gone");
        assertSame(other, assertThrows(IllegalStateException.class, () -> RoleProcess.run("edge", file, false, false,
                () -> "ok", c -> listener, c -> {
                    throw other;
                })));
    }
}
