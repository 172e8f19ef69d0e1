package io.raftline.core.state;

import io.raftline.core.EntryType;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.quorum.ConfigurationCodec;
import io.raftline.core.session.SessionTable;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What a node derives from its committed log: the producer sessions, the configuration, and the index and term
 * of the last entry applied. Every node applies every committed entry once, in index order, so every node holds
 * the same state at the same applied index; a snapshot is this state written at one index, and restoring it
 * stands for applying every entry up to there. Deterministic and single-threaded: no clock, no I/O.
 */
public final class ReplicatedState
{
    private static final int SNAPSHOT_MAGIC = 0x52_4C_53_54; // "RLST"
    private static final int SNAPSHOT_VERSION = 3; // 2: sessions record their ring size; 3: and their owner
    private static final int MAX_CONFIGURATION_BYTES = 1 << 20;

    private final SessionTable sessions;
    private Configuration configuration;
    private long appliedIndex;
    private long appliedTerm;

    /**
     * The state before any entry is applied, or of a log whose entries up to {@code appliedIndex} were compacted
     * without a snapshot (their sessions are then unknown).
     */
    public ReplicatedState(
        final int maxSessions, final int maxRing, final Configuration configuration, final long appliedIndex)
    {
        this(new SessionTable(maxSessions, maxRing), configuration, appliedIndex);
    }

    /** As above, with the sessions' memory bounded as {@link SessionTable} says. */
    public ReplicatedState(
        final SessionTable sessions, final Configuration configuration, final long appliedIndex)
    {
        this.sessions = sessions;
        this.configuration = configuration;
        this.appliedIndex = appliedIndex;
    }

    /** Applies the committed entry at {@code appliedIndex() + 1}; its payload is read only for Raft's own types. */
    public void apply(
        final long index,
        final long term,
        final int type,
        final long sessionId,
        final long sequence,
        final DirectBuffer payload,
        final int offset,
        final int length)
    {
        if (index != appliedIndex + 1)
        {
            throw new IllegalStateException("entry " + index + " applied after " + appliedIndex);
        }
        if (term < appliedTerm)
        {
            throw new IllegalStateException("entry " + index + " of term " + term + " after term " + appliedTerm);
        }
        if (type == EntryType.CONFIG)
        {
            configuration = ConfigurationCodec.decode(payload, offset, length);
        }
        sessions.apply(index, term, type, sessionId, sequence, payload, offset, length);
        appliedIndex = index;
        appliedTerm = term;
    }

    /** Whether the payload of an entry of this type is needed by {@link #apply}: otherwise pass null. */
    public static boolean needsPayload(final int type)
    {
        return type == EntryType.SESSION || type == EntryType.CONFIG;
    }

    public long appliedIndex()
    {
        return appliedIndex;
    }

    public long appliedTerm()
    {
        return appliedTerm;
    }

    public SessionTable sessions()
    {
        return sessions;
    }

    public Configuration configuration()
    {
        return configuration;
    }

    /** Writes the whole state; equal states write equal bytes. */
    public void writeTo(final DataOutput out) throws IOException
    {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeInt(SNAPSHOT_VERSION);
        out.writeLong(appliedIndex);
        out.writeLong(appliedTerm);
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[ConfigurationCodec.encodedLength(configuration)]);
        out.writeInt(ConfigurationCodec.encode(configuration, encoded, 0));
        out.write(encoded.byteArray());
        sessions.writeTo(out);
    }

    /** Replaces the whole state with one {@link #writeTo} wrote; throws {@link IOException} if it is not one. */
    public void readFrom(final DataInput in) throws IOException
    {
        if (in.readInt() != SNAPSHOT_MAGIC)
        {
            throw new IOException("not a snapshot of Raftline's replicated state");
        }
        final int version = in.readInt();
        if (version < 1 || version > SNAPSHOT_VERSION)
        {
            throw new IOException("replicated state of version " + version + "; this build reads 1 to " +
                SNAPSHOT_VERSION);
        }
        final long index = in.readLong();
        final long term = in.readLong();
        if (index < 0 || term < 0)
        {
            throw new IOException("bad applied index " + index + " or term " + term);
        }
        final int configurationLength = in.readInt();
        if (configurationLength < 0 || configurationLength > MAX_CONFIGURATION_BYTES)
        {
            throw new IOException("a configuration of " + configurationLength + " bytes");
        }
        final byte[] encoded = new byte[configurationLength];
        in.readFully(encoded);
        final Configuration restored;
        try
        {
            restored = ConfigurationCodec.decode(new UnsafeBuffer(encoded), 0, configurationLength);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException("bad configuration: " + ex.getMessage(), ex);
        }
        sessions.readFrom(in, version);
        configuration = restored;
        appliedIndex = index;
        appliedTerm = term;
    }
}
