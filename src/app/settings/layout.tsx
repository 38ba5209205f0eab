// Every settings page is signed in: keep it live (signed-out screen the moment the
// session ends, Active devices refreshed when the user's sessions change).
import { LiveSession } from "@/components/live-session";

export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return <LiveSession>{children}</LiveSession>;
}
