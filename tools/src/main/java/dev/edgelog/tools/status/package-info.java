/** {@code edgelog status}: what a node says about itself, and for a primary node the fleet below it. */
package dev.edgelog.tools.status;
