/**
 * The mirror arrives with issue 5: it follows an upstream, stores the log in segments and serves the pull API downstream.
 */
package dev.edgelog.mirror;
