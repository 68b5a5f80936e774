/**
 * The agent's local status API: {@code /status}, {@code /readyz}, {@code /metrics}, under the
 * {@code status} scope when the edge config has {@code auth}.
 */
package dev.edgelog.edge.http;
