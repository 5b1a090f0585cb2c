import { useI18n } from '../i18n';
import { Link } from '../router';
import { PageTitle } from '../ui';

export function NotFound() {
  const { t } = useI18n();
  return (
    <section className="card narrow center">
      <p className="big-404" aria-hidden="true">
        404
      </p>
      <PageTitle title={t.notFoundTitle}>{t.notFoundTitle}</PageTitle>
      <p>{t.notFoundBody}</p>
      <p>
        <Link to="/" className="btn btn--primary">
          {t.notFoundHome}
        </Link>
      </p>
    </section>
  );
}
