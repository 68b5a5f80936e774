package dev.edgelog.sqllog.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoleProcessTest {

    @Test
    void when_theHostIsLoopback_then_anOpenListenerMayStartThere() {
        for (String host : List.of("127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost")) {
            assertTrue(RoleProcess.isLoopback(host), host);
            assertTrue(RoleProcess.authorizedToStart("edge", host, false, false), host);
        }
    }

    @Test
    void when_theHostIsNotLoopback_then_anOpenListenerNeedsInsecure() {
        for (String host : List.of("0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.7")) {
            assertFalse(RoleProcess.isLoopback(host), host);
            assertFalse(RoleProcess.authorizedToStart("edge", host, false, false), host);
            assertTrue(RoleProcess.authorizedToStart("edge", host, false, true), host + " with --insecure");
            assertTrue(RoleProcess.authorizedToStart("edge", host, true, false), host + " with credentials");
        }
    }

    @Test
    void when_noBindHostIsGiven_then_onlyCredentialsOrInsecureAllowTheStart() {
        assertFalse(RoleProcess.authorizedToStart("primary", false, false));
        assertTrue(RoleProcess.authorizedToStart("primary", false, true));
        assertTrue(RoleProcess.authorizedToStart("primary", true, false));
    }
}
