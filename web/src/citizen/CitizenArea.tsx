// Placeholder: the citizen area is being built (issue 4).
export default function CitizenArea({ path }: { path: string }) {
  return (
    <section className="wrap">
      <p>{path}</p>
    </section>
  );
}
