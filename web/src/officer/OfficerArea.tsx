// Placeholder: the officer area is being built (issue 4).
export default function OfficerArea({ path }: { path: string }) {
  return (
    <section className="wrap">
      <p>{path}</p>
    </section>
  );
}
