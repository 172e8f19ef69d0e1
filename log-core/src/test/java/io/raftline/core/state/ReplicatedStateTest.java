package io.raftline.core.state;

import io.raftline.core.EntryType;
import io.raftline.core.quorum.Configuration;
import io.raftline.core.session.SessionTable;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplicatedStateTest
{
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[128]);

    private static ReplicatedState fresh()
    {
        return new ReplicatedState(16, 8, Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}), 0);
    }

    private void open(final ReplicatedState state, final long index, final String name)
    {
        final int length = SessionTable.encodeOpen(name, payload, 0);
        state.apply(index, 1, EntryType.SESSION, 0, 0, payload, 0, length);
    }

    private static void commit(final ReplicatedState state, final long index, final long session, final long sequence)
    {
        state.apply(index, 2, EntryType.NORMAL, session, sequence, null, 0, 0);
    }

    private static byte[] bytesOf(final ReplicatedState state) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        state.writeTo(new DataOutputStream(out));
        return out.toByteArray();
    }

    /** A state with two sessions, one with more committed sequences than its ring holds. */
    private ReplicatedState busy()
    {
        final ReplicatedState state = fresh();
        open(state, 1, "a");
        open(state, 2, "b");
        long index = 3;
        for (int sequence = 1; sequence <= 12; sequence++)
        {
            commit(state, index++, 1, sequence);
        }
        commit(state, index++, 2, 1);
        state.apply(index, 2, EntryType.NOOP, 0, 0, null, 0, 0);
        return state;
    }

    @Test
    void entriesAreAppliedOnceEachInIndexOrder()
    {
        final ReplicatedState state = busy();
        assertEquals(16, state.appliedIndex());
        assertEquals(2, state.appliedTerm());
        assertEquals(12, state.sessions().session(1).lastCommittedSequence());
        assertThrows(IllegalStateException.class, () -> commit(state, 16, 1, 13), "applied twice");
        assertThrows(IllegalStateException.class, () -> commit(state, 18, 1, 13), "a gap");
        assertThrows(IllegalStateException.class, () -> state.apply(17, 1, EntryType.NOOP, 0, 0, null, 0, 0),
            "a term going back");
        assertTrue(ReplicatedState.needsPayload(EntryType.SESSION));
        assertTrue(ReplicatedState.needsPayload(EntryType.CONFIG));
        assertEquals(false, ReplicatedState.needsPayload(EntryType.NORMAL));
    }

    @Test
    void aRestoredStateIsTheStateThatWasWritten() throws IOException
    {
        final ReplicatedState original = busy();
        final byte[] written = bytesOf(original);
        final ReplicatedState restored = fresh();
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(written)));
        assertArrayEquals(written, bytesOf(restored));
        assertEquals(16, restored.appliedIndex());
        assertEquals(Configuration.withLearners(new int[]{1, 2, 3}, new int[]{4}), restored.configuration());
        assertEquals(SessionTable.DUPLICATE, restored.sessions().check(1, 12));
        assertEquals(SessionTable.ACCEPT, restored.sessions().check(1, 13));
        assertEquals(14, restored.sessions().session(1).indexOf(12), "the ring's recent indexes travel along");
        assertEquals(7, restored.sessions().session(1).indexOf(5));
        assertEquals(0, restored.sessions().session(1).indexOf(4), "older than the ring of 8");
        assertEquals("b", restored.sessions().session(2).name());
        commit(restored, 17, 2, 2);
        assertEquals(2, restored.sessions().session(2).lastCommittedSequence(), "it goes on from there");
    }

    @Test
    void aStateThatHasAppliedNothingIsRestoredToo() throws IOException
    {
        final ReplicatedState nothing = fresh();
        final ReplicatedState restored = busy();
        restored.readFrom(in(bytesOf(nothing)));
        assertEquals(0, restored.appliedIndex());
        assertEquals(0, restored.appliedTerm());
        assertEquals(0, restored.sessions().size());
        assertArrayEquals(bytesOf(nothing), bytesOf(restored));
    }

    @Test
    void aSessionThatHasCommittedNothingYetIsRestored() throws IOException
    {
        final ReplicatedState state = fresh();
        open(state, 1, "idle");
        final ReplicatedState restored = fresh();
        restored.readFrom(in(bytesOf(state)));
        assertEquals("idle", restored.sessions().session(1).name());
        assertEquals(0, restored.sessions().session(1).lastCommittedSequence());
        assertEquals(SessionTable.ACCEPT, restored.sessions().check(1, 1));
    }

    @Test
    void aSnapshotSessionWithoutAnIdIsRefused() throws IOException
    {
        final ReplicatedState state = fresh();
        open(state, 1, "a");
        final byte[] written = bytesOf(state);
        final DataInputStream in = in(written);
        in.skipBytes(4 + 4 + 8 + 8);
        final int sessionAt = 4 + 4 + 8 + 8 + 4 + in.readInt() + 4;
        assertEquals(1, java.nio.ByteBuffer.wrap(written, sessionAt, 8).getLong(), "the id of the session");
        written[sessionAt + 7] = 0; // id 0: the session of entries that belong to none
        final ReplicatedState restored = fresh();
        assertThrows(IOException.class, () -> restored.readFrom(in(written)));
    }

    @Test
    void sessionsAreWrittenInIdOrderSoEqualStatesWriteEqualBytes() throws IOException
    {
        final ReplicatedState state = fresh();
        long index = 0;
        for (int i = 0; i < 12; i++)
        {
            open(state, ++index, "p" + i);
            for (int skip = 0; skip < 37 * i % 11; skip++)
            {
                state.apply(++index, 1, EntryType.NOOP, 0, 0, null, 0, 0);
            }
        }
        final DataInputStream in = in(bytesOf(state));
        in.skipBytes(4 + 4 + 8 + 8);
        in.skipBytes(in.readInt()); // the configuration
        final int sessions = in.readInt();
        assertEquals(12, sessions);
        long previous = 0;
        for (int i = 0; i < sessions; i++)
        {
            final long id = in.readLong();
            assertTrue(id > previous, "session " + id + " written after " + previous);
            previous = id;
            in.readUTF();
            assertEquals("", in.readUTF(), "its owner: none, opened without a credential");
            assertEquals(8, in.readInt(), "its ring size");
            in.skipBytes(16);
            in.skipBytes(16 * in.readInt());
        }
        final ReplicatedState copy = fresh();
        copy.readFrom(in(bytesOf(state)));
        assertArrayEquals(bytesOf(state), bytesOf(copy));
    }

    @Test
    void aRestoreReplacesEverySessionThatWasThere() throws IOException
    {
        final ReplicatedState state = fresh();
        open(state, 1, "gone");
        state.readFrom(in(bytesOf(busy())));
        assertNull(state.sessions().session(1 + 1000));
        assertEquals("a", state.sessions().session(1).name());
        final ReplicatedState withStray = new ReplicatedState(16, 8, Configuration.of(1), 0);
        open(withStray, 1, "x");
        open(withStray, 2, "y");
        final ReplicatedState onlyOne = new ReplicatedState(16, 8, Configuration.of(1), 0);
        open(onlyOne, 1, "z");
        withStray.readFrom(in(bytesOf(onlyOne)));
        assertNull(withStray.sessions().session(2), "a session the snapshot does not hold is gone");
    }

    @Test
    void aSnapshotWithMoreSessionsThanTheTableHoldsIsRefused() throws IOException
    {
        final ReplicatedState two = new ReplicatedState(2, 8, Configuration.of(1), 0);
        open(two, 1, "a");
        open(two, 2, "b");
        final ReplicatedState fits = new ReplicatedState(2, 8, Configuration.of(1), 0);
        fits.readFrom(in(bytesOf(two)));
        assertEquals(2, fits.sessions().size());
        final ReplicatedState tooSmall = new ReplicatedState(1, 8, Configuration.of(1), 0);
        assertThrows(IOException.class, () -> tooSmall.readFrom(in(bytesOf(two))));
    }

    @Test
    void aDamagedSnapshotIsRefusedAndLeavesTheStateAsItWas() throws IOException
    {
        final byte[] written = bytesOf(busy());
        final ReplicatedState state = fresh();
        open(state, 1, "kept");
        final byte[] before = bytesOf(state);
        final byte[] badMagic = written.clone();
        badMagic[0] ^= 1;
        assertThrows(IOException.class, () -> state.readFrom(in(badMagic)));
        assertThrows(IOException.class, () -> state.readFrom(in(Arrays.copyOf(written, written.length - 9))));
        final byte[] badVersion = written.clone();
        badVersion[7] = 9;
        assertThrows(IOException.class, () -> state.readFrom(in(badVersion)));
        assertArrayEquals(before, bytesOf(state));
    }

    private static DataInputStream in(final byte[] bytes)
    {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }
}
