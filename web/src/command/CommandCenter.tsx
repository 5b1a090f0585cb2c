// Placeholder: the command center is being built (issue 4).
export default function CommandCenter() {
  return <main className="command">Command center</main>;
}
