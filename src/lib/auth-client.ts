"use client";
// The better-auth React client for the browser (same origin, so no baseURL needed).
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();
export const { signIn, signUp, signOut, useSession } = authClient;
