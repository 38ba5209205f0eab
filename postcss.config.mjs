// Tailwind CSS v4 through its PostCSS plugin (the Next.js default set-up).
const config = {
  plugins: { "@tailwindcss/postcss": {} },
};

export default config;
