//! Expired sessions and old sign-in attempts are pruned, on every backend; live
//! ones stay.
use goldthread_app::App;
use goldthread_app::input::PersonInput;
use goldthread_store::accounts;
use goldthread_store::testing::databases;
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn expired_sessions_and_old_sign_in_attempts_are_pruned() {
    for t in databases().await {
        let app = App::new(t.db.clone());
        let tenant = app
            .add_tenant(&goldthread_app::ActorRef::cli(), "demo", "Demo Council", "")
            .await
            .unwrap();
        let p = PersonInput {
            email: "clerk@demo.example".into(),
            name: "Clerk".into(),
            role: "member".into(),
            ..Default::default()
        };
        app.add_user(&tenant, &p, Some("correct horse battery"))
            .await
            .unwrap();
        let live = app
            .login("clerk@demo.example", "correct horse battery", "10.0.0.1")
            .await
            .unwrap();
        assert!(
            app.login("clerk@demo.example", "wrong", "10.0.0.1")
                .await
                .is_err()
        );
        let now = OffsetDateTime::now_utc();
        {
            let mut c = t.db.read().await.unwrap();
            let user = accounts::user_by_email(&mut c, "clerk@demo.example")
                .await
                .unwrap()
                .unwrap();
            let past = goldthread_store::timestamp_text(now - Duration::hours(1));
            accounts::create_session(&mut c, "old-session-hash", &user.id, None, "x", &past)
                .await
                .unwrap();
            sqlx::query("INSERT INTO login_attempts (id, email, address, at, succeeded) VALUES ('old', 'x@y.z', '10.0.0.2', $1, 0)")
                .bind(goldthread_store::timestamp_text(now - Duration::days(2)))
                .execute(&mut *c)
                .await
                .unwrap();
        }
        assert_eq!(app.prune_expired().await.unwrap(), (1, 1));
        assert!(
            app.session(&live).await.unwrap().is_some(),
            "the live session stays"
        );
        let mut c = t.db.read().await.unwrap();
        let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_attempts")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        assert_eq!(
            attempts, 2,
            "today's attempts stay (they feed the rate limit)"
        );
        drop(c);
        assert_eq!(app.prune_expired().await.unwrap(), (0, 0));
    }
}
