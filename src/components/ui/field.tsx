"use client";
import { useId } from "react";
import { cx } from "@/lib/ui/cx";

export interface TextFieldProps extends Omit<React.InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  /** Always-visible help (rules, formats), read out with the field. */
  hint?: React.ReactNode;
  /** This field's error, shown under it and tied to it with aria-describedby. */
  error?: string | null;
  /** Extra content on the label row (e.g. a "Forgot password?" link). */
  labelAside?: React.ReactNode;
  id?: string;
  /** Ids of other elements that describe this field (e.g. a form-level error). */
  describedBy?: string;
  ref?: React.Ref<HTMLInputElement>;
}

export function TextField({ label, hint, error, labelAside, id, describedBy: extraDescribedBy, className, ref, ...input }: TextFieldProps) {
  const auto = useId();
  const inputId = id ?? `f${auto}`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null, extraDescribedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div className={cx("grid gap-1.5", className)}>
      <div className="flex items-baseline justify-between gap-3">
        <label htmlFor={inputId} className="text-sm font-medium text-zinc-800 dark:text-zinc-200">
          {label}
        </label>
        {labelAside}
      </div>
      <input
        ref={ref}
        id={inputId}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={cx(
          "block min-h-10 w-full rounded-lg border bg-white px-3 py-2 text-base text-zinc-900 shadow-sm sm:text-sm",
          "placeholder:text-zinc-400 focus:outline-2 focus:outline-offset-0",
          "dark:bg-zinc-900 dark:text-zinc-100",
          error
            ? "border-red-500 focus:outline-red-500 dark:border-red-400"
            : "border-zinc-300 focus:outline-accent-600 dark:border-zinc-700 dark:focus:outline-accent-400",
        )}
        {...input}
      />
      {hint && (
        <p id={hintId} className="text-sm text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="flex items-start gap-1.5 text-sm font-medium text-red-700 dark:text-red-400">
          <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="mt-0.5 size-4 shrink-0">
            <path
              fillRule="evenodd"
              d="M18 10a8 8 0 1 1-16 0 8 8 0 0 1 16 0Zm-8-5a.75.75 0 0 1 .75.75v4.5a.75.75 0 0 1-1.5 0v-4.5A.75.75 0 0 1 10 5Zm0 10a1 1 0 1 0 0-2 1 1 0 0 0 0 2Z"
              clipRule="evenodd"
            />
          </svg>
          {error}
        </p>
      )}
    </div>
  );
}

/** The email input every auth form asks for: same label, name, type and autofill hints. */
export function EmailField(props: Omit<TextFieldProps, "label" | "name" | "type">) {
  return <TextField label="Email" name="email" type="email" autoComplete="email" inputMode="email" required {...props} />;
}
