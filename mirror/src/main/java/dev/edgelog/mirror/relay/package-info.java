/** The mirror's copy of the log (segments fed by its follower) and the fleet reports it sends upstream. */
package dev.edgelog.mirror.relay;
