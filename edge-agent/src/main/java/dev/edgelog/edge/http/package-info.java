/** The agent's local status API: {@code /status}, {@code /readyz}, {@code /metrics}. */
package dev.edgelog.edge.http;
