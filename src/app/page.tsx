import Link from "next/link";

export default function Home() {
  return (
    <>
      <h1>Revocable</h1>
      <p>Sessions you can end instantly, on every device.</p>
      <p>
        <Link href="/sign-in">Sign in</Link> · <Link href="/sign-up">Create an account</Link> ·{" "}
        <Link href="/settings/security">Security settings</Link>
      </p>
    </>
  );
}
