/** The mirror's HTTP server: the pull API for the tier below, and its own status, readiness and metrics. */
package dev.edgelog.mirror.http;
