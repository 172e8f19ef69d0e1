package io.raftline.io.statemachine;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyValueStateMachineTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private long index;

    private void put(final KeyValueStateMachine machine, final String key, final String value)
    {
        final int length = KeyValueStateMachine.encodePut(buffer, 0, key, value.getBytes(StandardCharsets.UTF_8));
        machine.apply(++index, 1, buffer, 0, length);
    }

    private static byte[] snapshotBytes(final StateMachine.Snapshot snapshot) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        snapshot.writeTo(out);
        return out.toByteArray();
    }

    @Test
    void commandsChangeTheMapAndAnythingElseIsCountedAndLeftAlone()
    {
        final KeyValueStateMachine machine = new KeyValueStateMachine();
        put(machine, "a", "1");
        put(machine, "b", "2");
        put(machine, "a", "3");
        machine.apply(++index, 1, buffer, 0, KeyValueStateMachine.encodeDelete(buffer, 0, "b"));
        final UnsafeBuffer other = new UnsafeBuffer("p-17......".getBytes(StandardCharsets.US_ASCII));
        machine.apply(++index, 1, other, 0, other.capacity());
        machine.apply(++index, 1, other, 0, 2);
        assertArrayEquals("3".getBytes(StandardCharsets.UTF_8), machine.get("a"));
        assertNull(machine.get("b"));
        assertEquals(1, machine.size());
        assertEquals(2, machine.ignored());
    }

    @Test
    void aSnapshotIsTheStateWhenItWasTakenAndRestoresItExactly() throws IOException
    {
        final KeyValueStateMachine machine = new KeyValueStateMachine();
        put(machine, "x", "old");
        put(machine, "y", "kept");
        final StateMachine.Snapshot snapshot = machine.snapshot();
        put(machine, "x", "new");
        put(machine, "z", "later");
        final byte[] bytes = snapshotBytes(snapshot);

        final KeyValueStateMachine restored = new KeyValueStateMachine();
        put(restored, "gone", "replaced");
        restored.restore(new ByteArrayInputStream(bytes));
        assertArrayEquals("old".getBytes(StandardCharsets.UTF_8), restored.get("x"));
        assertNull(restored.get("z"));
        assertNull(restored.get("gone"), "a restore replaces the whole state");
        assertEquals(2, restored.size());
        assertArrayEquals(bytes, snapshotBytes(restored.snapshot()), "the same state writes the same bytes");
    }

    @Test
    void aDamagedSnapshotIsRefused()
    {
        final KeyValueStateMachine machine = new KeyValueStateMachine();
        assertThrows(IOException.class, () -> machine.restore(new ByteArrayInputStream(new byte[]{ 0, 0, 0, 0, 0, 0,
            0, 0, -1, -1, -1, -1 })));
        assertThrows(IOException.class, () -> machine.restore(new ByteArrayInputStream(new byte[5])));
    }
}
