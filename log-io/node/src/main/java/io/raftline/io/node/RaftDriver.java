package io.raftline.io.node;

import io.raftline.core.LogWrites;
import io.raftline.core.RaftNode;
import io.raftline.core.ReadStates;
import io.raftline.core.Ready;
import io.raftline.core.Role;
import io.raftline.core.SnapshotFetch;
import io.raftline.core.message.MessageQueue;
import io.raftline.core.message.RaftMessage;
import io.raftline.core.quorum.Configuration;
import io.raftline.io.storage.ChronicleLog;
import io.raftline.io.storage.MetadataStore;

/**
 * Hands the core its inputs and carries out what it decides, in the order {@link Ready} gives: the log writes; the
 * leader's messages (an AppendEntries is encoded from the log, so its entries must be written first); term, vote
 * and log made durable as the durability mode says, once for the whole Ready; the messages that promise what was
 * just persisted (votes, acknowledgements); then {@link RaftNode#advance}.
 *
 * <p>An entry arrives in the frame that carried it, read in place: in an Aeron image's term buffer, or, for a
 * frame larger than one datagram, in the fragment assembler's buffer, which the next large frame of the same
 * sender overwrites within the same poll. So the log writes an input caused are made before the next input is
 * taken ({@link #step}, {@link #writeLog}), not deferred to the end of the duty cycle; that is also when they
 * are cheapest, the bytes being in cache.
 */
final class RaftDriver
{
    /** Where messages to peers go. */
    @FunctionalInterface
    interface PeerSender
    {
        void send(RaftMessage message);
    }

    /** What the rest of the node hears of a Ready. */
    interface Listener
    {
        /** Answers to ReadIndex requests. */
        void onReadStates(ReadStates readStates);

        /** The node's role changed; {@code lastIndex} is its log's last index then. */
        void onRoleChange(Role role, Role previous, long lastIndex);

        /** The configuration in force changed: connect to new members before messages go to them. */
        void onConfiguration(Configuration configuration);

        /** The leader this node knows changed (0: none known). */
        void onLeader(int leaderId);

        /** The snapshot this node must fetch changed (null: none). */
        void onSnapshotToFetch(SnapshotFetch fetch);

        /** A snapshot at {@code index} replaced the log: the states must be restored from it before applying more. */
        void onSnapshotInstalled(long index);
    }

    private final RaftNode node;
    private final ChronicleLog log;
    private final MetadataStore metadata;
    private final PeerSender peers;
    private final Listener listener;
    private Role lastRole;
    private int lastLeaderId = -1;
    private SnapshotFetch lastFetch;

    RaftDriver(
        final RaftNode node, final ChronicleLog log, final PeerSender peers, final Listener listener)
    {
        this.node = node;
        this.log = log;
        this.metadata = log.metadata();
        this.peers = peers;
        this.listener = listener;
    }

    RaftNode node()
    {
        return node;
    }

    /** A peer's message: stepped in, and the entries it carried written while the frame is in hand. */
    void step(final RaftMessage message)
    {
        node.step(message);
        writeLog();
    }

    /** A tick of the core's timeouts, with its clock at {@code time}. */
    void tick(final long time)
    {
        node.tick(time);
    }

    /** Makes the log writes the core has decided so far; call after any input that may have proposed. */
    void writeLog()
    {
        final LogWrites writes = node.logWrites();
        if (!writes.isEmpty())
        {
            writes.writeTo(log);
        }
    }

    /** Carries out the core's Ready, if it has one; returns whether it had. */
    boolean flush()
    {
        if (!node.hasReady())
        {
            return false;
        }
        final Ready ready = node.ready();
        writeLog();
        if (ready.configurationChanged())
        {
            listener.onConfiguration(ready.configuration());
        }
        send(ready.messages());
        if (ready.hardStateChanged())
        {
            metadata.store(ready.term(), ready.votedFor());
        }
        final long durableIndex = ready.mustPersistEntries() ? log.sync() : ready.lastIndex();
        if (ready.snapshotInstalled() != 0)
        {
            listener.onSnapshotInstalled(ready.snapshotInstalled());
        }
        send(ready.messagesAfterPersist());
        if (ready.readStates().size() > 0)
        {
            listener.onReadStates(ready.readStates());
        }
        if (ready.role() != lastRole)
        {
            listener.onRoleChange(ready.role(), lastRole, log.lastIndex());
            lastRole = ready.role();
        }
        if (ready.leaderId() != lastLeaderId)
        {
            lastLeaderId = ready.leaderId();
            listener.onLeader(lastLeaderId);
        }
        if (ready.snapshotToFetch() != lastFetch || lastFetch != null)
        {
            // told again while one is wanted: a fetch may finish an older snapshot first, then take this one
            lastFetch = ready.snapshotToFetch();
            listener.onSnapshotToFetch(lastFetch);
        }
        node.advance(durableIndex);
        return true;
    }

    private void send(final MessageQueue messages)
    {
        for (int i = 0, size = messages.size(); i < size; i++)
        {
            peers.send(messages.get(i));
        }
    }
}
