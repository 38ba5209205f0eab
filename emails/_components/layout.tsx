// The one layout every auth email shares: product name, heading, body, footer.
import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";
import * as s from "./styles";

export function EmailLayout({
  preview,
  heading,
  children,
  footer,
}: {
  /** The inbox preview line (hidden in the body and in the plain-text part). */
  preview: string;
  heading: string;
  children: ReactNode;
  /** Why the reader got this email; one sentence. */
  footer: string;
}) {
  return (
    <Html lang="en" dir="ltr">
      <Head>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={s.body}>
        <Container style={s.container}>
          <Text style={s.brand}>{s.PRODUCT_NAME}</Text>
          <Heading as="h1" style={s.heading}>
            {heading}
          </Heading>
          {children}
          <Hr style={s.hr} />
          <Text style={s.footer}>{footer}</Text>
          <Text style={s.footer}>{`${s.PRODUCT_NAME} · This is an automated security message; replies are not read.`}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph({ children, muted = false }: { children: ReactNode; muted?: boolean }) {
  return <Text style={muted ? s.muted : s.text}>{children}</Text>;
}

/** A button plus the same link written out, for clients that hide or break buttons. */
export function Action({ href, label }: { href: string; label: string }) {
  return (
    <>
      <Section style={s.buttonSection}>
        <Button href={href} style={s.button}>
          {label}
        </Button>
      </Section>
      {/* The plain-text part already carries the link after the button's label. */}
      <Text style={s.muted} data-skip-in-text="true">
        If the button does not work, copy this link into your browser:{" "}
        <Link href={href} style={s.link}>
          {href}
        </Link>
      </Text>
    </>
  );
}

/** Label/value lines ("Device: Chrome 131 on macOS") in a shaded box. */
export function Details({ rows }: { rows: ReadonlyArray<readonly [label: string, value: string]> }) {
  return (
    <Section style={s.details}>
      {rows.map(([label, value]) => (
        <Text key={label} style={s.detailRow}>
          <strong>{`${label}:`}</strong> {value}
        </Text>
      ))}
    </Section>
  );
}
