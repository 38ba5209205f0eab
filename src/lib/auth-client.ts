"use client";
// The better-auth React client for the browser (same origin, so no baseURL needed). The
// passkey plugin's client runs the WebAuthn ceremonies (@simplewebauthn/browser).
import { passkeyClient } from "@better-auth/passkey/client";
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient({ plugins: [passkeyClient()] });
export const { signIn, signUp, signOut, useSession } = authClient;
