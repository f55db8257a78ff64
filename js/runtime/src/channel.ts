import { useEffect, useState } from "react";
import type { Operation } from "./client";
import { useMizan } from "./react";

export interface Channel<M, S> {
  /** Every message received since the hook subscribed (or its params changed), oldest first. */
  messages: M[];
  /** Post a message to the channel (its `receive`); resolves when the server accepted it. */
  send(message: S): Promise<unknown>;
  status: "connecting" | "open" | "closed" | "error";
  error?: unknown;
}

export function useChannel<P extends object, M, S>(
  subscription: Operation<P, M>,
  sender: Operation | undefined,
  params: P,
): Channel<M, S> {
  const { client } = useMizan();
  const [messages, setMessages] = useState<M[]>([]);
  const [status, setStatus] = useState<Channel<M, S>["status"]>("connecting");
  const [error, setError] = useState<unknown>();
  const id = JSON.stringify(params);
  useEffect(() => {
    setMessages([]);
    const listen = (connected: boolean) => setStatus(connected ? "open" : "connecting");
    client.listeners.add(listen);
    listen(client.connected);
    const stop = client.subscribe(subscription, params, {
      next: (message) => setMessages((all) => [...all, message]),
      error(reason) {
        setError(reason);
        setStatus("error");
      },
      complete: () => setStatus("closed"),
    });
    return () => {
      client.listeners.delete(listen);
      stop();
    };
  }, [client, subscription, id]);
  return {
    messages,
    status,
    error,
    send: (message) =>
      sender ? client.request(sender, { ...params, message }) : Promise.reject(new Error(`${subscription.name} takes no messages.`)),
  };
}
