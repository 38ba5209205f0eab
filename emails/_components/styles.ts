// Inline styles shared by every email. Plain and high-contrast: system fonts, one accent
// colour (white on #1d4ed8 is 6.7:1), no images, no web fonts, no layout that needs CSS
// support beyond what Gmail, Outlook and Apple Mail all render.
import type { CSSProperties } from "react";

export const PRODUCT_NAME = "Revocable";

const fontFamily =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji"';

export const body: CSSProperties = {
  backgroundColor: "#f4f4f5",
  color: "#18181b",
  fontFamily,
  margin: 0,
  padding: "24px 0",
};

export const container: CSSProperties = {
  backgroundColor: "#ffffff",
  border: "1px solid #e4e4e7",
  borderRadius: "8px",
  maxWidth: "560px",
  padding: "32px",
};

export const brand: CSSProperties = {
  color: "#18181b",
  fontSize: "16px",
  fontWeight: 700,
  letterSpacing: "0.02em",
  margin: "0 0 24px",
};

export const heading: CSSProperties = {
  color: "#18181b",
  fontSize: "22px",
  fontWeight: 700,
  lineHeight: "1.3",
  margin: "0 0 16px",
};

export const text: CSSProperties = {
  color: "#27272a",
  fontSize: "16px",
  lineHeight: "1.5",
  margin: "0 0 16px",
};

export const muted: CSSProperties = {
  ...text,
  color: "#52525b",
  fontSize: "14px",
};

export const button: CSSProperties = {
  backgroundColor: "#1d4ed8",
  borderRadius: "6px",
  color: "#ffffff",
  display: "inline-block",
  fontSize: "16px",
  fontWeight: 600,
  padding: "12px 20px",
  textDecoration: "none",
};

export const buttonSection: CSSProperties = { margin: "8px 0 24px" };

export const link: CSSProperties = { color: "#1d4ed8", textDecoration: "underline", wordBreak: "break-all" };

export const details: CSSProperties = {
  backgroundColor: "#f4f4f5",
  borderRadius: "6px",
  margin: "0 0 24px",
  padding: "12px 16px",
};

export const detailRow: CSSProperties = { ...text, fontSize: "15px", margin: "4px 0" };

export const hr: CSSProperties = { borderColor: "#e4e4e7", margin: "24px 0" };

export const footer: CSSProperties = { color: "#52525b", fontSize: "13px", lineHeight: "1.5", margin: "0 0 8px" };
